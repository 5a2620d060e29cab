//go:build !graphsdk

package conformance

// graphBehaviours is empty without -tags graphsdk: the behaviours that drive Graph through
// msgraph-sdk-go are in graphsdk.go, run by make check-graph-sdk.
var graphBehaviours []behaviour
