// The oracle of the differential decode test (test/kubevirt-decode-differential.spec.ts): what
// Harvester's Go code does with the text of the kubevirt-migration Setting, with code no one here
// wrote. kubevirt.io/api's MigrationConfiguration (the version in go.mod) is decoded from the raw
// text twice: by encoding/json, as Harvester's controller and webhook unmarshal the Setting's value,
// and by sigs.k8s.io/json's strict decoder, which also reports duplicate and unknown fields as the
// API server's strict field validation does.
//
// Usage: kubevirt-oracle MODE. Modes:
//
//	decode  reads one JSON string a line on stdin (the Setting's text) and writes a line each:
//	        {"ok":true,"config":<the struct re-encoded>} when both decoders accept the text without
//	        a strict error, else {"ok":false,"error":"<why>"}.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	v1 "kubevirt.io/api/core/v1"
	kjson "sigs.k8s.io/json"
)

type answer struct {
	OK     bool                       `json:"ok"`
	Config *v1.MigrationConfiguration `json:"config,omitempty"`
	Error  string                     `json:"error,omitempty"`
}

func decode(text string) answer {
	var plain v1.MigrationConfiguration
	if err := json.Unmarshal([]byte(text), &plain); err != nil {
		return answer{Error: "encoding/json: " + err.Error()}
	}
	var strict v1.MigrationConfiguration
	strictErrs, err := kjson.UnmarshalStrict([]byte(text), &strict)
	if err != nil {
		return answer{Error: "sigs.k8s.io/json: " + err.Error()}
	}
	if len(strictErrs) > 0 {
		return answer{Error: "sigs.k8s.io/json strict: " + fmt.Sprint(strictErrs)}
	}
	return answer{OK: true, Config: &strict}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kubevirt-oracle decode")
		os.Exit(2)
	}
	modes := map[string]func(string) answer{"decode": decode}
	mode, ok := modes[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown mode %q; modes: decode\n", os.Args[1])
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var text string
		if err := json.Unmarshal(in.Bytes(), &text); err != nil {
			fmt.Fprintln(os.Stderr, "not a JSON string: "+err.Error())
			os.Exit(2)
		}
		line, err := json.Marshal(mode(text))
		if err != nil {
			fmt.Fprintln(os.Stderr, "cannot encode the answer: "+err.Error())
			os.Exit(2)
		}
		out.Write(line)
		out.WriteString("\n")
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "reading stdin: "+err.Error())
		os.Exit(2)
	}
}
