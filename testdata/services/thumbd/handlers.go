package main

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
)

type server struct {
	jobs   *jobTable
	render *renderer
	store  *thumbStore
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

type thumbRequest struct {
	Source string `json:"source"`
	Width  int    `json:"width"`
	Format string `json:"format"`
}

func (s *server) createThumbnail(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	var req thumbRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&req); err != nil || req.Source == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "source is required"})
		return
	}
	if req.Format == "" {
		req.Format = "webp"
	}
	j := s.jobs.create(req.Source, req.Width, req.Format)
	progress := make(chan int)
	go s.jobs.track(j, progress)

	th, err := s.render.render(j, progress)
	if err != nil {
		j.finish(stateFailed, err.Error(), "")
		code := http.StatusInternalServerError
		if errors.Is(err, errUnsupported) || errors.Is(err, errTooLarge) {
			code = http.StatusUnprocessableEntity
		}
		writeJSON(w, code, map[string]string{"id": j.ID, "error": err.Error()})
		return
	}
	s.store.put(th)
	j.finish(stateDone, "", th.Key)
	writeJSON(w, http.StatusCreated, map[string]interface{}{"id": j.ID, "thumb": th.Key, "width": th.Width, "height": th.Height})
}

func (s *server) jobStatus(w http.ResponseWriter, r *http.Request) {
	j, ok := s.jobs.get(r.URL.Query().Get("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown job"})
		return
	}
	writeJSON(w, http.StatusOK, j.view())
}

func (s *server) cancelJob(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
		return
	}
	j, ok := s.jobs.get(r.URL.Query().Get("id"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "unknown job"})
		return
	}
	if v := j.view(); v.State != stateRendering {
		writeJSON(w, http.StatusConflict, map[string]string{"error": "job already " + string(v.State)})
		return
	}
	j.cancel()
	writeJSON(w, http.StatusAccepted, map[string]string{"id": j.ID, "state": string(stateCancelled)})
}

func (s *server) fetchThumbnail(w http.ResponseWriter, r *http.Request) {
	th, ok := s.store.get(r.URL.Query().Get("key"))
	if !ok {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not cached"})
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Thumb-Size", strconv.Itoa(th.Width)+"x"+strconv.Itoa(th.Height))
	w.Write(th.Data)
}

func (s *server) formats(w http.ResponseWriter, r *http.Request) {
	exts := make([]string, 0, len(s.render.decoders))
	for e := range s.render.decoders {
		exts = append(exts, e)
	}
	sort.Strings(exts)
	writeJSON(w, http.StatusOK, map[string]interface{}{"sources": exts, "outputs": []string{"webp", "jpg"}, "maxWidth": s.render.maxWidth})
}
