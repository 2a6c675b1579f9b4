package azure

import (
	"encoding/json"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/machinelearning/armmachinelearning/v4"
)

// endpointPageJSON is one page of OnlineEndpoints_List with only the fields
// the app reads. The SDK's models decode each nested object by re-scanning
// it (their UnmarshalJSON goes through map[string]json.RawMessage at every
// level), which made JSON decoding most of a 100,000-endpoint list's time;
// one pass into these plain structs is several times faster. The result is
// turned into the SDK's model so endpointFrom stays the one mapping.
type endpointPageJSON struct {
	NextLink string `json:"nextLink"`
	Value    []struct {
		ID       string             `json:"id"`
		Name     string             `json:"name"`
		Location string             `json:"location"`
		Kind     string             `json:"kind"`
		Tags     map[string]*string `json:"tags"`
		Identity *struct {
			Type                   string                     `json:"type"`
			PrincipalID            string                     `json:"principalId"`
			UserAssignedIdentities map[string]json.RawMessage `json:"userAssignedIdentities"`
		} `json:"identity"`
		Properties *struct {
			AuthMode          string            `json:"authMode"`
			Compute           string            `json:"compute"`
			Description       string            `json:"description"`
			ProvisioningState string            `json:"provisioningState"`
			ScoringURI        string            `json:"scoringUri"`
			SwaggerURI        string            `json:"swaggerUri"`
			Traffic           map[string]*int32 `json:"traffic"`
			MirrorTraffic     map[string]*int32 `json:"mirrorTraffic"`
		} `json:"properties"`
		SystemData *struct {
			CreatedBy      string `json:"createdBy"`
			CreatedAt      string `json:"createdAt"`
			LastModifiedBy string `json:"lastModifiedBy"`
			LastModifiedAt string `json:"lastModifiedAt"`
		} `json:"systemData"`
	} `json:"value"`
}

// models converts the page to the SDK's models (pointers to the same strings).
func (p *endpointPageJSON) models() []*armmachinelearning.OnlineEndpoint {
	out := make([]*armmachinelearning.OnlineEndpoint, len(p.Value))
	for i := range p.Value {
		v := &p.Value[i]
		e := &armmachinelearning.OnlineEndpoint{ID: &v.ID, Name: &v.Name, Location: &v.Location, Kind: &v.Kind, Tags: v.Tags}
		if x := v.Identity; x != nil {
			e.Identity = &armmachinelearning.ManagedServiceIdentity{Type: (*armmachinelearning.ManagedServiceIdentityType)(&x.Type), PrincipalID: &x.PrincipalID}
			if len(x.UserAssignedIdentities) > 0 {
				e.Identity.UserAssignedIdentities = map[string]*armmachinelearning.UserAssignedIdentity{}
				for k := range x.UserAssignedIdentities {
					e.Identity.UserAssignedIdentities[k] = &armmachinelearning.UserAssignedIdentity{}
				}
			}
		}
		if x := v.Properties; x != nil {
			e.Properties = &armmachinelearning.OnlineEndpointProperties{
				AuthMode: (*armmachinelearning.EndpointAuthMode)(&x.AuthMode), Description: &x.Description,
				ProvisioningState: (*armmachinelearning.EndpointProvisioningState)(&x.ProvisioningState),
				ScoringURI:        &x.ScoringURI, SwaggerURI: &x.SwaggerURI, Traffic: x.Traffic, MirrorTraffic: x.MirrorTraffic}
			if x.Compute != "" {
				e.Properties.Compute = &x.Compute
			}
		}
		if x := v.SystemData; x != nil {
			e.SystemData = &armmachinelearning.SystemData{CreatedBy: &x.CreatedBy, LastModifiedBy: &x.LastModifiedBy,
				CreatedAt: armTime(x.CreatedAt), LastModifiedAt: armTime(x.LastModifiedAt)}
		}
		out[i] = e
	}
	return out
}

// armTime reads an ARM timestamp: RFC 3339, or (as some services write it)
// without a zone, which is UTC. nil when absent or unreadable.
func armTime(s string) *time.Time {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return &t
		}
	}
	return nil
}
