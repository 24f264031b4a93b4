package portal

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"gongkai/internal/files"
)

func TestConsoleUploadLimits(t *testing.T) {
	fs, err := files.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Deps: Deps{Files: fs, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	c := &console{maxCSV: 1024}
	tests := []struct {
		name   string
		csv    int // bytes
		meta   string
		status int // 0: read fine
	}{
		{"within the limit", 1024, `{"unit":"jtj","title":"t","domain":"道路交通","fields":[{"name":"a","type":"string"}]}`, 0},
		{"csv too large", 1025, `{"unit":"jtj","title":"t","domain":"道路交通","fields":[{"name":"a","type":"string"}]}`, http.StatusRequestEntityTooLarge},
		{"metadata too large", 10, `{"title":"` + strings.Repeat("长", maxDatasetMeta/3+1) + `"}`, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			mw.WriteField("metadata", tc.meta)
			fw, _ := mw.CreateFormFile("csv", "a.csv")
			fw.Write(bytes.Repeat([]byte("a"), tc.csv))
			mw.Close()
			r := httptest.NewRequest(http.MethodPut, "/api/v1/console/datasets/x", &body)
			r.Header.Set("Content-Type", mw.FormDataContentType())
			up, err := s.readUpload(r, c, "x", func(string) bool { return true })
			var se *statusError
			switch {
			case tc.status == 0 && err != nil:
				t.Fatalf("readUpload: %v", err)
			case tc.status != 0 && (!errors.As(err, &se) || se.status != tc.status):
				t.Fatalf("readUpload: %v, want status %d", err, tc.status)
			}
			spooled := up.csvPath
			up.remove()
			if spooled != "" {
				if _, err := os.Stat(spooled); !os.IsNotExist(err) {
					t.Errorf("spooled CSV %s left behind", spooled)
				}
			}
		})
	}
}
