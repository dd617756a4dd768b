// The oracle of the policy merge test (test/policy-merge-differential.spec.ts): what KubeVirt does
// when a MigrationPolicy wins, with code no one here wrote. kubevirt.io/api's
// MigrationPolicy.GetMigrationConfByPolicy (the version in go.mod, KubeVirt 1.7.0) overlays the
// policy on a cluster migration configuration.
//
// Usage: policy-oracle merge. Reads one JSON object a line on stdin,
// {"cluster": <MigrationConfiguration, every field set>, "policy": <MigrationPolicy>}, and writes a
// line each: {"ok":true,"changed":<bool>,"config":<the merged configuration>}, or
// {"ok":false,"error":"<why>"} when the input does not decode.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"

	v1 "kubevirt.io/api/core/v1"
	"kubevirt.io/api/migrations/v1alpha1"
)

type request struct {
	Cluster v1.MigrationConfiguration `json:"cluster"`
	Policy  v1alpha1.MigrationPolicy  `json:"policy"`
}

type answer struct {
	OK      bool                       `json:"ok"`
	Changed bool                       `json:"changed"`
	Config  *v1.MigrationConfiguration `json:"config,omitempty"`
	Error   string                     `json:"error,omitempty"`
}

func merge(line []byte) answer {
	var req request
	if err := json.Unmarshal(line, &req); err != nil {
		return answer{Error: err.Error()}
	}
	config := req.Cluster.DeepCopy()
	changed, err := req.Policy.GetMigrationConfByPolicy(config)
	if err != nil {
		return answer{Error: err.Error()}
	}
	return answer{OK: true, Changed: changed, Config: config}
}

func main() {
	if len(os.Args) != 2 || os.Args[1] != "merge" {
		fmt.Fprintln(os.Stderr, "usage: policy-oracle merge")
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<24)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	for in.Scan() {
		if err := enc.Encode(merge(in.Bytes())); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
