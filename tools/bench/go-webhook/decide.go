package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kubevirtv1 "kubevirt.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

const settingName = "kubevirt-migration"

// setting is the part of Harvester's Setting the decision reads.
type setting struct {
	Metadata metav1.ObjectMeta `json:"metadata"`
	Value    string            `json:"value"`
	Default  string            `json:"default"`
}

// validator decides as the project's webhook does (docs/semantics.md §4): another name or a DELETE
// is allowed; a value or default that does not decode into KubeVirt's MigrationConfiguration, or
// sets a protected key, is Invalid (422); a change of the effective configuration is refused (400)
// while a migration is in progress, read from the informer cache.
type validator struct {
	cache client.Reader
}

func (v *validator) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.Name != settingName || req.Operation == admissionv1.Delete {
		return admission.Allowed("")
	}
	newConfig, violations := effective(req.Object.Raw)
	if len(violations) > 0 {
		return invalid(violations)
	}
	oldConfig := defaultOf(req.Object.Raw)
	if req.Operation == admissionv1.Update {
		oldConfig, _ = effective(req.OldObject.Raw)
	}
	if oldConfig != nil && reflect.DeepEqual(oldConfig, newConfig) {
		return admission.Allowed("")
	}
	return v.unlessMigrating(ctx)
}

func (v *validator) unlessMigrating(ctx context.Context) admission.Response {
	var list kubevirtv1.VirtualMachineInstanceMigrationList
	// read-only: the cache's own objects, not a deep copy of each (which cost 2.5 µs per cached VMIM)
	if err := v.cache.List(ctx, &list, client.UnsafeDisableDeepCopy); err != nil {
		return admission.Errored(http.StatusServiceUnavailable, fmt.Errorf("the migrations could not be read: %w", err))
	}
	var running []string
	for i := range list.Items {
		if inProgress(&list.Items[i]) {
			m := &list.Items[i]
			running = append(running, fmt.Sprintf("%s/%s (%s)", m.Namespace, m.Name, phaseOf(m)))
		}
	}
	if len(running) == 0 {
		return admission.Allowed("")
	}
	sort.Strings(running)
	return admission.Errored(http.StatusBadRequest, fmt.Errorf("migrations in progress: %s", strings.Join(running, ", ")))
}

func inProgress(m *kubevirtv1.VirtualMachineInstanceMigration) bool {
	if m.DeletionTimestamp != nil || m.Status.Phase == kubevirtv1.MigrationSucceeded || m.Status.Phase == kubevirtv1.MigrationFailed {
		return false
	}
	return m.Status.MigrationState == nil || !m.Status.MigrationState.Completed
}

func phaseOf(m *kubevirtv1.VirtualMachineInstanceMigration) string {
	if m.Status.Phase == "" {
		return "Pending"
	}
	return string(m.Status.Phase)
}

// effective decodes a Setting and returns the configuration it asks for: its value, or its
// default when the value is empty, with every violation of either text.
func effective(raw []byte) (*kubevirtv1.MigrationConfiguration, []string) {
	var s setting
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, []string{fmt.Sprintf("the Setting does not decode: %v", err)}
	}
	value, violations := decodeConfig("value", s.Value)
	def, defaultViolations := decodeConfig("default", s.Default)
	violations = append(violations, defaultViolations...)
	if s.Value == "" {
		return def, violations
	}
	return value, violations
}

func defaultOf(raw []byte) *kubevirtv1.MigrationConfiguration {
	var s setting
	if json.Unmarshal(raw, &s) != nil {
		return nil
	}
	def, _ := decodeConfig("default", s.Default)
	return def
}

// decodeConfig reads one text into MigrationConfiguration; the protected keys may only be "",
// and are then dropped, so that they take no part in the comparison.
func decodeConfig(field, text string) (*kubevirtv1.MigrationConfiguration, []string) {
	if text == "" {
		return &kubevirtv1.MigrationConfiguration{}, nil
	}
	var c kubevirtv1.MigrationConfiguration
	decoder := json.NewDecoder(strings.NewReader(text))
	decoder.DisallowUnknownFields()
	if err := decoder.Decode(&c); err != nil {
		return nil, []string{fmt.Sprintf("%s: %v", field, err)}
	}
	var violations []string
	if c.NodeDrainTaintKey != nil && *c.NodeDrainTaintKey != "" {
		violations = append(violations, field+".nodeDrainTaintKey: protected, only \"\" is accepted")
	}
	if c.Network != nil && *c.Network != "" {
		violations = append(violations, field+".network: protected, only \"\" is accepted")
	}
	c.NodeDrainTaintKey, c.Network = nil, nil
	return &c, violations
}

func invalid(violations []string) admission.Response {
	message := fmt.Sprintf("Setting.harvesterhci.io %q is invalid: [%s]", settingName, strings.Join(violations, ", "))
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{
		Allowed: false,
		Result:  &metav1.Status{Code: http.StatusUnprocessableEntity, Reason: metav1.StatusReasonInvalid, Message: message},
	}}
}
