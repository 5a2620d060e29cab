package graphapi

import "time"

// replica is what one request sees of replication: Graph serves reads from replicas that learn
// of a new object only after a delay, so for that long the object is not there for reads, for
// lists, or for creating its service principal.
type replica struct {
	now   time.Time
	delay time.Duration
}

// replica reads the clock and the configured delay once per request.
func (a *API) replica() replica {
	rep := replica{now: a.cfg.Clock.Now()}
	if a.cfg.ReplicationDelay != nil {
		rep.delay = a.cfg.ReplicationDelay()
	}
	return rep
}

func (p replica) visible(created time.Time) bool {
	return p.delay <= 0 || !p.now.Before(created.Add(p.delay))
}
