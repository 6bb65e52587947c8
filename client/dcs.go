package client

import (
	"fmt"
	"net"
	"strconv"

	"github.com/tgraw/tgraw/session"
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

// dcListLocked is the DC list to take addresses from: help.getConfig's,
// else the options'. c.mu is held.
func (c *Client) dcListLocked() []tg.DCOption {
	if c.config != nil && len(c.config.DCOptions) > 0 {
		return c.config.DCOptions
	}
	return c.opts.DCList
}

// address returns where to connect to dc for kind: the session's address
// for its own DC; a media-only address for media (a main one when the
// DC has none); a CDN address for a CDN DC.
func (c *Client) address(list []tg.DCOption, sess *session.Session, dc int, kind dcKind) (string, error) {
	if dc == sess.DC && sess.Addr != "" && (kind == kindHome || kind == kindAPI) {
		return sess.Addr, nil
	}
	if addr, ok := pickAddress(list, dc, kind); ok {
		return addr, nil
	}
	if kind == kindMedia {
		if addr, ok := pickAddress(list, dc, kindAPI); ok {
			return addr, nil
		}
	}
	if kind == kindCDN {
		return "", fmt.Errorf("client: no address of CDN DC %d in the DC list", dc)
	}
	return "", fmt.Errorf("client: no address of DC %d in the DC list", dc)
}

// pickAddress returns an IPv4 address of dc for kind, static ones first:
// for kindMedia a media-only one, for kindCDN a CDN one, else one for API
// calls (neither). Obfuscated-only options are left out.
func pickAddress(list []tg.DCOption, dc int, kind dcKind) (string, bool) {
	best := -1
	for i, o := range list {
		if o.ID != dc || o.Ipv6 || o.TcpoOnly || o.CDN != (kind == kindCDN) || o.MediaOnly != (kind == kindMedia) {
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

// hasMedia reports whether the list has a media-only address of dc.
func hasMedia(list []tg.DCOption, dc int) bool {
	_, ok := pickAddress(list, dc, kindMedia)
	return ok
}
