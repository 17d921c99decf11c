package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

type level int

const (
	levelDebug level = iota
	levelInfo
	levelWarn
	levelError
)

func parseLevel(s string) level {
	switch s {
	case "debug":
		return levelDebug
	case "warn":
		return levelWarn
	case "error":
		return levelError
	}
	return levelInfo
}

// logger is the team's small leveled logger (one line per call, RFC 3339 time).
type logger struct {
	mu  sync.Mutex
	out io.Writer
	min level
}

func newLogger(out io.Writer, min level) *logger { return &logger{out: out, min: min} }

func (l *logger) logf(lv level, tag, format string, args ...interface{}) {
	if lv < l.min {
		return
	}
	line := fmt.Sprintf("%s %s %s\n", time.Now().UTC().Format(time.RFC3339), tag, fmt.Sprintf(format, args...))
	l.mu.Lock()
	io.WriteString(l.out, line)
	l.mu.Unlock()
}

func (l *logger) Debugf(format string, args ...interface{}) {
	l.logf(levelDebug, "DEBUG", format, args...)
}
func (l *logger) Infof(format string, args ...interface{}) {
	l.logf(levelInfo, "INFO", format, args...)
}
func (l *logger) Warnf(format string, args ...interface{}) {
	l.logf(levelWarn, "WARN", format, args...)
}
