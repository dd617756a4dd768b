// The oracle of the differential tests of test/: what KubeVirt's and Harvester's Go code do, with
// code no one here wrote (kubevirt.io/api, the version in go.mod, KubeVirt 1.7.0).
//
// Usage: kubevirt-oracle MODE. Each mode reads one JSON value a line on stdin and writes one JSON
// line for each. Modes:
//
//	decode  (test/kubevirt-decode-differential.spec.ts) reads a JSON string (the Setting's text).
//	        MigrationConfiguration is decoded from it twice: by encoding/json, as Harvester's
//	        controller and webhook unmarshal the Setting's value, and by sigs.k8s.io/json's strict
//	        decoder, which also reports duplicate and unknown fields as the API server's strict
//	        field validation does. Writes {"ok":true,"config":<the struct re-encoded>} when both
//	        accept the text without a strict error, else {"ok":false,"error":"<why>"}.
//	merge   (test/policy-merge-differential.spec.ts) reads {"cluster": <MigrationConfiguration,
//	        every field set>, "policy": <MigrationPolicy>} and overlays the policy on the cluster's
//	        configuration with MigrationPolicy.GetMigrationConfByPolicy, as KubeVirt does when a
//	        policy wins. Writes {"ok":true,"changed":<bool>,"config":<the merged configuration>},
//	        or {"ok":false,"error":"<why>"} when the input does not decode.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	v1 "kubevirt.io/api/core/v1"
	"kubevirt.io/api/migrations/v1alpha1"
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

// decodeLine is the decode mode on one input line, a JSON string.
func decodeLine(line []byte) (any, error) {
	var text string
	if err := json.Unmarshal(line, &text); err != nil {
		return nil, fmt.Errorf("not a JSON string: %w", err)
	}
	return decode(text), nil
}

type mergeRequest struct {
	Cluster v1.MigrationConfiguration `json:"cluster"`
	Policy  v1alpha1.MigrationPolicy  `json:"policy"`
}

type mergeAnswer struct {
	OK      bool                       `json:"ok"`
	Changed bool                       `json:"changed"`
	Config  *v1.MigrationConfiguration `json:"config,omitempty"`
	Error   string                     `json:"error,omitempty"`
}

func merge(line []byte) (any, error) {
	var req mergeRequest
	if err := json.Unmarshal(line, &req); err != nil {
		return mergeAnswer{Error: err.Error()}, nil
	}
	config := req.Cluster.DeepCopy()
	changed, err := req.Policy.GetMigrationConfByPolicy(config)
	if err != nil {
		return mergeAnswer{Error: err.Error()}, nil
	}
	return mergeAnswer{OK: true, Changed: changed, Config: config}, nil
}

func main() {
	modes := map[string]func([]byte) (any, error){"decode": decodeLine, "merge": merge}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: kubevirt-oracle decode|merge")
		os.Exit(2)
	}
	mode, ok := modes[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown mode %q; modes: decode, merge\n", os.Args[1])
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		result, err := mode(in.Bytes())
		if err != nil {
			fmt.Fprintln(os.Stderr, err.Error())
			os.Exit(2)
		}
		line, err := json.Marshal(result)
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
