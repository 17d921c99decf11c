package main

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// fieldError is one rule a field broke, with the field's JSON path.
type fieldError struct {
	Path string `json:"path"`
	Rule string `json:"rule"`
}

// validator checks any struct against its `validate` tags:
//
//	required, len=N, min=N, max=N (string length), oneof=a b c, date (YYYY-MM-DD),
//	email, prefix=P, charset=alnum|alnum-space|phone, nonzero, gte=X, dive (slices).
type validator struct {
	dateLayout string
}

func newValidator() *validator { return &validator{dateLayout: "2006-01-02"} }

func (v *validator) Validate(x interface{}) []fieldError {
	var errs []fieldError
	v.checkStruct(reflect.ValueOf(x).Elem(), "", &errs)
	return errs
}

type rule struct {
	name string
	arg  string
}

func parseTag(tag string) []rule {
	var rules []rule
	for _, part := range strings.Split(tag, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, arg, _ := strings.Cut(part, "=")
		rules = append(rules, rule{name: name, arg: arg})
	}
	return rules
}

func (v *validator) checkStruct(rv reflect.Value, prefix string, errs *[]fieldError) {
	rt := rv.Type()
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		if name == "" {
			name = f.Name
		}
		path := name
		if prefix != "" {
			path = fmt.Sprintf("%s.%s", prefix, name)
		}
		fv := rv.Field(i)
		rules := parseTag(f.Tag.Get("validate"))
		for _, r := range rules {
			if r.name == "dive" {
				continue
			}
			if !v.apply(r, fv) {
				*errs = append(*errs, fieldError{Path: path, Rule: r.name})
			}
		}
		switch fv.Kind() {
		case reflect.Struct:
			v.checkStruct(fv, path, errs)
		case reflect.Slice:
			for _, r := range rules {
				if r.name != "dive" {
					continue
				}
				for j := 0; j < fv.Len(); j++ {
					el := fv.Index(j)
					if el.Kind() == reflect.Struct {
						v.checkStruct(el, fmt.Sprintf("%s[%d]", path, j), errs)
					}
				}
			}
		}
	}
}

func (v *validator) apply(r rule, fv reflect.Value) bool {
	switch r.name {
	case "required":
		return !fv.IsZero()
	case "nonzero":
		return !fv.IsZero()
	case "len", "min", "max":
		n, err := strconv.Atoi(r.arg)
		if err != nil || fv.Kind() != reflect.String {
			return false
		}
		l := len([]rune(fv.String()))
		switch r.name {
		case "len":
			return l == n
		case "min":
			return l >= n
		}
		return l <= n
	case "oneof":
		s := fmt.Sprint(fv.Interface())
		for _, opt := range strings.Fields(r.arg) {
			if opt == s {
				return true
			}
		}
		return false
	case "date":
		if fv.String() == "" {
			return true
		}
		_, err := time.Parse(v.dateLayout, fv.String())
		return err == nil
	case "email":
		s := fv.String()
		at := strings.LastIndexByte(s, '@')
		return at > 0 && strings.Contains(s[at:], ".")
	case "prefix":
		return strings.HasPrefix(fv.String(), r.arg)
	case "charset":
		for _, c := range fv.String() {
			ok := unicode.IsLetter(c) || unicode.IsDigit(c) ||
				(r.arg == "alnum-space" && c == ' ') ||
				(r.arg == "phone" && strings.ContainsRune("+ -()", c))
			if !ok {
				return false
			}
		}
		return true
	case "gte":
		x, err := strconv.ParseFloat(r.arg, 64)
		if err != nil {
			return false
		}
		switch fv.Kind() {
		case reflect.Float32, reflect.Float64:
			return fv.Float() >= x
		case reflect.Int, reflect.Int64:
			return float64(fv.Int()) >= x
		}
		return false
	}
	return true
}
