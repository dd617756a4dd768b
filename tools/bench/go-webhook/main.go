// A measuring anchor for the webhook benchmark, not part of the product: the webhook a Go team
// would write on controller-runtime, with the same decisions as the project's (decide.go), its
// migrations read from controller-runtime's informer cache. Usage:
//
//	go-webhook KUBECONFIG CERT KEY PORT
//
// It serves /validate on 127.0.0.1:PORT over TLS and prints "ready" once its cache has synced.
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/tools/clientcmd"
	kubevirtv1 "kubevirt.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/log"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: go-webhook KUBECONFIG CERT KEY PORT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3], os.Args[4]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(kubeconfig, certFile, keyFile, port string) error {
	log.SetLogger(logr.Discard())
	config, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return fmt.Errorf("kubeconfig %s: %w", kubeconfig, err)
	}
	portNumber, err := strconv.Atoi(port)
	if err != nil {
		return fmt.Errorf("port %q: %w", port, err)
	}
	scheme := runtime.NewScheme()
	if err := kubevirtv1.AddToScheme(scheme); err != nil {
		return err
	}
	server := webhook.NewServer(webhook.Options{
		Host:     "127.0.0.1",
		Port:     portNumber,
		CertDir:  filepath.Dir(certFile),
		CertName: filepath.Base(certFile),
		KeyName:  filepath.Base(keyFile),
	})
	mgr, err := ctrl.NewManager(config, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		WebhookServer:          server,
	})
	if err != nil {
		return err
	}
	ctx := ctrl.SetupSignalHandler()
	// the informer starts with the manager; the first review waits for nothing
	if _, err := mgr.GetCache().GetInformer(ctx, &kubevirtv1.VirtualMachineInstanceMigration{}); err != nil {
		return err
	}
	// the manager runs its webhook server only once asked for it
	mgr.GetWebhookServer().Register("/validate", &admission.Webhook{Handler: &validator{cache: mgr.GetCache()}})
	go announceWhenSynced(ctx, mgr.GetCache())
	return mgr.Start(ctx)
}

func announceWhenSynced(ctx context.Context, c cache.Cache) {
	if c.WaitForCacheSync(ctx) {
		fmt.Println("ready")
	}
}
