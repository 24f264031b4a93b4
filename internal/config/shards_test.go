package config

import "testing"

func TestIndexShards(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  string
		want int
		err  string
	}{
		{name: "unset: the default", want: DefaultIndexShards},
		{name: "from the environment", env: "4", want: 4},
		{name: "the flag wins", args: []string{"--index-shards", "2"}, env: "4", want: 2},
		{name: "the largest", env: "64", want: 64},
		{name: "too many", env: "65", err: "GONGKAI_INDEX_SHARDS must be a whole number from 1 to 64"},
		{name: "not a number", env: "two", err: `(got "two")`},
		{name: "negative flag", args: []string{"--index-shards", "-1"}, err: "--index-shards must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := resolveServe(t, tc.args, "GONGKAI_INDEX_SHARDS", tc.env, tc.err)
			if tc.err != "" {
				return
			}
			if err != nil || c.IndexShards != tc.want {
				t.Errorf("IndexShards %d (%v), want %d", c.IndexShards, err, tc.want)
			}
		})
	}
}
