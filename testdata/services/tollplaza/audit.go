package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// auditShipper streams audit events, one line each, to the collector over one
// TCP connection. The regulator's rule is that an event must reach the
// collector before the lane barrier opens, so lines go out as they come.
type auditShipper struct {
	conn    net.Conn
	w       *bufio.Writer
	lines   chan string
	done    chan struct{}
	shipped atomic.Int64
	dropped atomic.Int64
}

func dialAudit(ctx context.Context, addr string) (*auditShipper, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &auditShipper{conn: conn, w: bufio.NewWriterSize(conn, 32<<10), lines: make(chan string, 8192), done: make(chan struct{})}
	go s.run()
	return s, nil
}

func (s *auditShipper) run() {
	defer close(s.done)
	for line := range s.lines {
		if _, err := s.w.WriteString(line); err != nil {
			log.Printf("audit: %v", err)
			return
		}
		if err := s.w.Flush(); err != nil {
			log.Printf("audit: %v", err)
			return
		}
		s.shipped.Add(1)
	}
}

// emit queues one event; it never blocks the lane (a full queue drops and counts).
func (s *auditShipper) emit(kind string, fields ...string) {
	var b strings.Builder
	b.WriteString(time.Now().UTC().Format("2006-01-02T15:04:05.000000Z"))
	b.WriteByte(' ')
	b.WriteString(kind)
	for i := 0; i+1 < len(fields); i += 2 {
		b.WriteByte(' ')
		b.WriteString(fields[i])
		b.WriteByte('=')
		b.WriteString(strconv.Quote(fields[i+1]))
	}
	b.WriteByte('\n')
	select {
	case s.lines <- b.String():
	default:
		s.dropped.Add(1)
	}
}

func (s *auditShipper) close() {
	close(s.lines)
	<-s.done
	s.conn.Close()
}

// collector stands in for the central audit collector: it accepts shipper
// connections and counts the events it receives.
type collector struct {
	addr   string
	events atomic.Int64
	bytes  atomic.Int64
}

func startCollector(addr string) (*collector, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	c := &collector{addr: ln.Addr().String()}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go c.consume(conn)
		}
	}()
	return c, nil
}

func (c *collector) consume(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, 256<<10)
	for {
		n, err := conn.Read(buf)
		for _, b := range buf[:n] {
			if b == '\n' {
				c.events.Add(1)
			}
		}
		c.bytes.Add(int64(n))
		if err != nil {
			if err != io.EOF {
				fmt.Println("collector:", err)
			}
			return
		}
	}
}
