package sinkurl

import (
	"os"

	"github.com/streamll/streamll-go/actors/sinks/terminal"
)

// terminalConfig reads "terminal?color=never&tokens=false&...".
func terminalConfig(p *params) terminal.Config {
	var cfg terminal.Config
	hostOptions(p, &cfg.Options)

	var color string
	p.choice("color", []string{"auto", "always", "never"}, &color)
	switch color {
	case "always":
		cfg.Color = terminal.ColorAlways
	case "never":
		cfg.Color = terminal.ColorNever
	}
	p.negated("tokens", &cfg.HideTokens)
	p.negated("data", &cfg.HideData)
	p.int("max_data", -1, &cfg.MaxDataLen)
	if v, ok := p.q["max_data"]; ok && len(v) == 1 && v[0] == "0" {
		p.bad("parameter max_data=0: write data=false to hide data, or max_data=-1 for no limit")
	}
	var output string
	p.choice("output", []string{"stdout", "stderr"}, &output)
	if output == "stderr" {
		cfg.Output = os.Stderr
	}
	p.unknown()
	return cfg
}
