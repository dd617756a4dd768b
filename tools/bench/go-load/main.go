// The load generator of the webhook benchmark: POSTs AdmissionReviews over TLS keep-alive
// connections, cycling through a corpus (one review per line of a file), either as fast as the
// server answers (-n) or paced (-rate, -duration), and prints one JSON line: requests, errors
// (an answer other than 200 with "allowed":true, or none), requests per second, p50 and p99 in ms.
// Each connection sends its next review when the last one was answered (and, paced, no sooner
// than its turn), as hey does; latency is from sending to the end of the answer.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type options struct {
	url, ca, corpus string
	connections     int
	requests        int
	rate            float64
	duration        time.Duration
}

type result struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50Ms    float64 `json:"p50Ms"`
	P99Ms    float64 `json:"p99Ms"`
}

func main() {
	var o options
	flag.StringVar(&o.url, "url", "", "https://127.0.0.1:PORT/PATH (loopback only)")
	flag.StringVar(&o.ca, "ca", "", "CA certificate of the server (PEM)")
	flag.StringVar(&o.corpus, "corpus", "", "file of AdmissionReviews, one per line")
	flag.IntVar(&o.connections, "c", 8, "connections")
	flag.IntVar(&o.requests, "n", 0, "requests, as fast as answered (unpaced)")
	flag.Float64Var(&o.rate, "rate", 0, "requests per second in all (paced, with -duration)")
	flag.DurationVar(&o.duration, "duration", 0, "how long to send, paced")
	flag.Parse()
	r, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-load:", err)
		os.Exit(1)
	}
	_ = json.NewEncoder(os.Stdout).Encode(r)
}

func run(o options) (result, error) {
	if !strings.HasPrefix(o.url, "https://127.0.0.1:") {
		return result{}, fmt.Errorf("the load only targets loopback, not %q", o.url)
	}
	if (o.requests > 0) == (o.rate > 0 && o.duration > 0) {
		return result{}, errors.New("give either -n, or -rate and -duration")
	}
	bodies, err := readCorpus(o.corpus)
	if err != nil {
		return result{}, err
	}
	client, err := newClient(o.ca, o.connections)
	if err != nil {
		return result{}, err
	}
	return load(o, client, bodies), nil
}

func readCorpus(path string) ([][]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var bodies [][]byte
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<20)
	for scanner.Scan() {
		if line := bytes.TrimSpace(scanner.Bytes()); len(line) > 0 {
			bodies = append(bodies, append([]byte(nil), line...))
		}
	}
	if len(bodies) == 0 && scanner.Err() == nil {
		return nil, fmt.Errorf("%s: no reviews", path)
	}
	return bodies, scanner.Err()
}

func newClient(caFile string, connections int) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", caFile)
	}
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConnsPerHost: connections,
		MaxConnsPerHost:     connections,
		DisableCompression:  true,
	}
	return &http.Client{Transport: transport, Timeout: 10 * time.Second}, nil
}

// load runs the connections and gathers their latencies.
func load(o options, client *http.Client, bodies [][]byte) result {
	var next atomic.Int64
	var wg sync.WaitGroup
	latencies := make([][]time.Duration, o.connections)
	errorCounts := make([]int, o.connections)
	start := time.Now()
	for w := 0; w < o.connections; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			latencies[w], errorCounts[w] = connection(o, client, bodies, &next, start)
		}(w)
	}
	wg.Wait()
	return summarize(latencies, errorCounts, time.Since(start))
}

// connection sends until its share is done: unpaced, until the counter reaches -n; paced, one
// review every connections/rate seconds until -duration is over.
func connection(o options, client *http.Client, bodies [][]byte, next *atomic.Int64, start time.Time) ([]time.Duration, int) {
	var got []time.Duration
	errs := 0
	interval := time.Duration(0)
	if o.rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(o.connections) / o.rate)
	}
	turn := start
	for {
		i := next.Add(1) - 1
		if o.requests > 0 && i >= int64(o.requests) || o.rate > 0 && time.Since(start) >= o.duration {
			return got, errs
		}
		if interval > 0 {
			time.Sleep(time.Until(turn))
			turn = turn.Add(interval)
		}
		sent := time.Now()
		if !post(client, o.url, bodies[i%int64(len(bodies))]) {
			errs++
		}
		got = append(got, time.Since(sent))
	}
}

// firstError is the first failure of the run, printed on stderr: what the count of errors means.
var firstError sync.Once

func post(client *http.Client, url string, body []byte) bool {
	res, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		firstError.Do(func() { fmt.Fprintln(os.Stderr, "go-load: first error:", err) })
		return false
	}
	defer res.Body.Close()
	answer, err := io.ReadAll(res.Body)
	ok := err == nil && res.StatusCode == http.StatusOK && bytes.Contains(answer, []byte(`"allowed":true`))
	if !ok {
		firstError.Do(func() { fmt.Fprintf(os.Stderr, "go-load: first error: %d %s\n", res.StatusCode, answer) })
	}
	return ok
}

func summarize(latencies [][]time.Duration, errorCounts []int, elapsed time.Duration) result {
	var all []time.Duration
	errs := 0
	for w := range latencies {
		all = append(all, latencies[w]...)
		errs += errorCounts[w]
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	percentile := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		k := int(p*float64(len(all))+0.999999) - 1
		return float64(all[max(0, min(len(all)-1, k))].Microseconds()) / 1000
	}
	return result{
		Requests: len(all),
		Errors:   errs,
		Seconds:  elapsed.Seconds(),
		RPS:      float64(len(all)) / elapsed.Seconds(),
		P50Ms:    percentile(0.50),
		P99Ms:    percentile(0.99),
	}
}
