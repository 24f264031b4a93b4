package cli

import (
	"context"
	"fmt"
	"strings"
)

// action is one verb of a command with several (user add, token revoke).
type action struct {
	name string
	run  func(context.Context, *env, []string) error
}

// runActions dispatches a command's first argument to its action, or
// prints the command's usage: asked for (exit 0) or missing (exit 2).
func runActions(ctx context.Context, e *env, args []string, command, usage, about string, actions []action) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(e.stdout, "Usage: "+usage+"\n\n")
		fmt.Fprintln(e.stdout, about)
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	names := make([]string, len(actions))
	for i, a := range actions {
		if a.name == args[0] {
			return a.run(ctx, e, args[1:])
		}
		names[i] = a.name
	}
	want := names[len(names)-1]
	if len(names) > 1 {
		want = strings.Join(names[:len(names)-1], ", ") + " or " + want
	}
	return fmt.Errorf("%w: unknown %s action %q (want %s)", errUsage, command, args[0], want)
}
