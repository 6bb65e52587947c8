package client

import (
	"net"
	"strconv"

	"github.com/tgraw/tgraw/tg"
)

// ProductionDCs are the addresses of Telegram's data centres a client
// starts from (all on port 443); help.getConfig then gives the current
// list. DC 2 is the default.
var ProductionDCs = []tg.DCOption{
	{ID: 1, IPAddress: "149.154.175.53", Port: 443},
	{ID: 2, IPAddress: "149.154.167.51", Port: 443},
	{ID: 3, IPAddress: "149.154.175.100", Port: 443},
	{ID: 4, IPAddress: "149.154.167.91", Port: 443},
	{ID: 5, IPAddress: "91.108.56.130", Port: 443},
}

// TestDCs are Telegram's three test data centres (Options.Test).
var TestDCs = []tg.DCOption{
	{ID: 1, IPAddress: "149.154.175.10", Port: 443},
	{ID: 2, IPAddress: "149.154.167.40", Port: 443},
	{ID: 3, IPAddress: "149.154.175.117", Port: 443},
}

// address returns the address of a DC from a list: an IPv4 option for
// API calls (not media-only, CDN or obfuscated-only), static ones first.
func address(list []tg.DCOption, dc int) (string, bool) {
	best := -1
	for i, o := range list {
		if o.ID != dc || o.Ipv6 || o.MediaOnly || o.CDN || o.TcpoOnly {
			continue
		}
		if best < 0 || (o.Static && !list[best].Static) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	o := list[best]
	return net.JoinHostPort(o.IPAddress, strconv.Itoa(o.Port)), true
}
