package main

import (
	"context"
	"encoding/json"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubevirtv1 "kubevirt.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// migrations is a client.Reader that lists fixed migrations: the informer cache, for the tests.
type migrations []kubevirtv1.VirtualMachineInstanceMigration

func (m migrations) Get(context.Context, client.ObjectKey, client.Object, ...client.GetOption) error {
	return nil
}

func (m migrations) List(_ context.Context, list client.ObjectList, _ ...client.ListOption) error {
	list.(*kubevirtv1.VirtualMachineInstanceMigrationList).Items = m
	return nil
}

const harvesterDefault = `{"parallelMigrationsPerCluster":5,"parallelOutboundMigrationsPerNode":2,"bandwidthPerMigration":"0Mi","completionTimeoutPerGiB":150,"progressTimeout":150}`

func settingJSON(value string) runtime.RawExtension {
	raw, _ := json.Marshal(map[string]any{"metadata": map[string]any{"name": settingName}, "default": harvesterDefault, "value": value})
	return runtime.RawExtension{Raw: raw}
}

func update(oldValue, newValue string) admission.Request {
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		Name: settingName, Operation: admissionv1.Update, Object: settingJSON(newValue), OldObject: settingJSON(oldValue),
	}}
}

func running(name string, phase kubevirtv1.VirtualMachineInstanceMigrationPhase) kubevirtv1.VirtualMachineInstanceMigration {
	m := kubevirtv1.VirtualMachineInstanceMigration{}
	m.Namespace, m.Name, m.Status.Phase = "default", name, phase
	return m
}

func TestDecisions(t *testing.T) {
	busy := migrations{running("a", kubevirtv1.MigrationRunning)}
	done := migrations{running("b", kubevirtv1.MigrationSucceeded)}
	cases := []struct {
		name    string
		req     admission.Request
		cache   migrations
		allowed bool
		code    int32
	}{
		{"a change with no migration in progress", update("", `{"parallelMigrationsPerCluster":8}`), done, true, 0},
		{"a change while a migration runs", update("", `{"parallelMigrationsPerCluster":8}`), busy, false, 400},
		{"no change while a migration runs (the same value, reformatted)", update(`{"progressTimeout":150}`, `{ "progressTimeout": 150 }`), busy, true, 0},
		{"an unknown key", update("", `{"bogus":1}`), done, false, 422},
		{"a protected key set", update("", `{"network":"migration-net"}`), done, false, 422},
		{"a protected key empty", update("", `{"network":"","parallelMigrationsPerCluster":8}`), done, true, 0},
		{"not JSON", update("", `{`), done, false, 422},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := (&validator{cache: c.cache}).Handle(context.Background(), c.req)
			if got.Allowed != c.allowed {
				t.Fatalf("allowed = %v, want %v (%+v)", got.Allowed, c.allowed, got.Result)
			}
			if !c.allowed && got.Result.Code != c.code {
				t.Fatalf("code = %d, want %d (%s)", got.Result.Code, c.code, got.Result.Message)
			}
		})
	}
}
