package main

import (
	"errors"
	"strconv"
	"strings"
)

type labelPair struct {
	Name, Value string
}

type sample struct {
	Metric string
	Labels []labelPair
	Value  float64
	TsMs   int64
}

var (
	errNoValue   = errors.New("missing value")
	errBadLabels = errors.New("malformed label set")
)

// parseLine reads one line of the text exposition format:
//
//	name{label="value",...} value [timestamp_ms]
func parseLine(line string, buf []labelPair) (sample, error) {
	var s sample
	rest := line
	i := strings.IndexAny(rest, "{ ")
	if i <= 0 {
		return s, errNoValue
	}
	s.Metric = rest[:i]
	rest = rest[i:]
	s.Labels = buf[:0]
	if rest[0] == '{' {
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return s, errBadLabels
		}
		body := rest[1:end]
		rest = rest[end+1:]
		for len(body) > 0 {
			eq := strings.IndexByte(body, '=')
			if eq <= 0 || eq+1 >= len(body) || body[eq+1] != '"' {
				return s, errBadLabels
			}
			name := body[:eq]
			body = body[eq+2:]
			q := strings.IndexByte(body, '"')
			if q < 0 {
				return s, errBadLabels
			}
			s.Labels = append(s.Labels, labelPair{name, body[:q]})
			body = strings.TrimPrefix(body[q+1:], ",")
		}
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return s, errNoValue
	}
	v, err := strconv.ParseFloat(fields[0], 64)
	if err != nil {
		return s, err
	}
	s.Value = v
	if len(fields) > 1 {
		if ts, err := strconv.ParseInt(fields[1], 10, 64); err == nil {
			s.TsMs = ts
		}
	}
	return s, nil
}
