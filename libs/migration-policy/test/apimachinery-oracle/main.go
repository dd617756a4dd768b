// The oracle of the differential quantity test (test/quantity-differential.spec.ts): apimachinery's
// own resource.ParseQuantity, the parser KubeVirt decodes bandwidthPerMigration with. Reads one JSON
// string a line on stdin; writes a line each: null when ParseQuantity refuses it, else
// ["<unscaled>", "<scale>"], the exact value unscaled * 10^-scale.
package main

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"

	"k8s.io/apimachinery/pkg/api/resource"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<22)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		var text string
		if err := json.Unmarshal(in.Bytes(), &text); err != nil {
			os.Stderr.WriteString("not a JSON string: " + err.Error() + "\n")
			os.Exit(2)
		}
		q, err := resource.ParseQuantity(text)
		if err != nil {
			out.WriteString("null\n")
			continue
		}
		d := q.AsDec()
		line, _ := json.Marshal([]string{d.UnscaledBig().String(), strconv.Itoa(int(d.Scale()))})
		out.Write(line)
		out.WriteString("\n")
	}
}
