package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"partnerbot/internal/testdb"
)

func TestImportFromTheCommandLine(t *testing.T) {
	t.Setenv("DATABASE_URL", testdb.URL(t))
	ctx := context.Background()
	bad := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(bad, []byte("key,name,country,region,names\nua-x,X,XX,,\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string // in the error; empty for success
	}{
		{[]string{"import", "towns", "../../examples/towns.example.csv"}, ""},
		{[]string{"import", "towns", "../../examples/towns.example.csv"}, ""},
		{[]string{"import", "partnerships", "../../examples/partnerships.example.csv"}, ""},
		{[]string{"import", "towns", bad}, "line 2: country"},
		{[]string{"import", "towns", filepath.Join(t.TempDir(), "missing.csv")}, "no such file"},
		{[]string{"import", "villages", bad}, `cannot import "villages"`},
		{[]string{"import", "towns"}, "usage: partnerbot import"},
	}
	for _, tt := range tests {
		err := run(ctx, tt.args)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("run %v: %v", tt.args, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("run %v: error %v, want one containing %q", tt.args, err, tt.want)
		}
	}
}
