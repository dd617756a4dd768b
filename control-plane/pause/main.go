// The sandbox ("pause") container of the local node: the first process of every pod, holding the
// pod's namespaces. It reaps the children it inherits and exits on SIGINT or SIGTERM. Built by
// control-plane/scripts/build-node.sh into the pause image, so that containerd never pulls one.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGCHLD)
	for s := range signals {
		if s != syscall.SIGCHLD {
			os.Exit(0)
		}
		for {
			var status syscall.WaitStatus
			pid, err := syscall.Wait4(-1, &status, syscall.WNOHANG, nil)
			if pid <= 0 || err != nil {
				break
			}
		}
	}
}
