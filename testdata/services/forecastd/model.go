package main

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

var errBusy = errors.New("forecast queue full")

type hourly struct {
	At       time.Time `json:"at"`
	TempC    float64   `json:"tempC"`
	PrecipMm float64   `json:"precipMm"`
	WindMs   float64   `json:"windMs"`
}

type modelJob struct {
	obs   observation
	hours int
	reply chan []hourly // buffered: a worker never waits for a caller that gave up
}

// modelPool runs the forecast model on a fixed number of workers so a burst
// of requests queues instead of oversubscribing the CPUs.
type modelPool struct {
	jobs chan modelJob
	wg   sync.WaitGroup
	once sync.Once
}

func newModelPool(workers, queue int) *modelPool {
	p := &modelPool{jobs: make(chan modelJob, queue)}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

func (p *modelPool) worker() {
	defer p.wg.Done()
	for j := range p.jobs {
		j.reply <- runModel(j.obs, j.hours)
	}
}

// close stops the workers once the servers no longer submit.
func (p *modelPool) close() {
	p.once.Do(func() { close(p.jobs) })
	p.wg.Wait()
}

func (p *modelPool) forecast(ctx context.Context, o observation, hours int) ([]hourly, error) {
	j := modelJob{obs: o, hours: hours, reply: make(chan []hourly, 1)}
	wait := time.NewTimer(250 * time.Millisecond)
	defer wait.Stop()
	select {
	case p.jobs <- j:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-wait.C:
		return nil, errBusy
	}
	select {
	case out := <-j.reply:
		return out, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// runModel integrates a small column model forward hour by hour: diurnal
// heating, the observed trend, relaxation towards climatology, and a
// moisture budget for precipitation.
func runModel(o observation, hours int) []hourly {
	const steps = 60 // one-minute sub-steps per hour
	out := make([]hourly, 0, hours)
	temp, moist, wind := o.TempC, o.Humidity/100, o.WindMs
	clim := 11.0 + (52-o.Lat)*0.6
	start := o.Observed.Truncate(time.Hour)
	for h := 1; h <= hours; h++ {
		precip := 0.0
		for s := 0; s < steps; s++ {
			t := float64(h-1) + float64(s)/steps
			hourOfDay := math.Mod(float64(start.Hour())+t, 24)
			heating := 0.9 * math.Sin((hourOfDay-9)/24*2*math.Pi)
			temp += (heating + o.TrendTemp*math.Exp(-t/12) + 0.05*(clim-temp)) / steps
			sat := 0.6 + 0.02*(temp-10)
			if moist > sat {
				rain := (moist - sat) * 0.3
				moist -= rain / steps
				precip += rain * 2 / steps
			} else {
				moist += 0.004 / steps
			}
			wind += (0.1*math.Cos(hourOfDay/24*2*math.Pi) - 0.02*(wind-6)) / steps
		}
		out = append(out, hourly{
			At:       start.Add(time.Duration(h) * time.Hour),
			TempC:    math.Round(temp*10) / 10,
			PrecipMm: math.Round(precip*10) / 10,
			WindMs:   math.Round(math.Max(wind, 0)*10) / 10,
		})
	}
	return out
}
