// Package mtproto runs one encrypted MTProto 2.0 connection: message IDs
// and seqnos, every check of an incoming message, acknowledgements,
// containers, gzip_packed, salts, the server's time offset, RPC results
// and errors, and pings. Framing is gotd/td's transport package
// (intermediate, abridged, padded intermediate or full).
//
// A Conn is a session rather than a socket: Serve runs it over one
// transport connection, and when that drops, Reconnect gives it another
// and the next Serve sends again, in the same session, the calls that got
// no answer: under their first msg_id inside a container, so that a
// server that did get one answers it instead of running it twice. Each
// caller gets exactly one result; a caller that leaves (its context ends)
// takes its call out, and a late answer to it is dropped. Close ends the
// session; Run is Serve and Close, for one transport.
//
// Conn does not know the Telegram API: Invoke sends any TL value and
// decodes the result into any decoder, and the messages the server sends
// on its own (updates) go to Options.Handler as bytes. Package client
// builds the API client on it; package exchange makes the auth key it
// needs.
//
// # Incoming messages
//
// Each message from the server is checked, in this order, before anything
// in it is used (https://core.telegram.org/mtproto/security_guidelines):
// auth_key_id; msg_key, recomputed over the decrypted plaintext and
// compared in constant time; message_data_length and the 12..1024 bytes of
// padding; session_id; msg_id odd; msg_id not seen before (the last 512
// are kept) nor older than all of them; and msg_id within 300 seconds
// before and 30 seconds after the time of the server as the connection
// knows it (the local clock corrected by the offset learnt in the key
// exchange and from bad_msg_notification 16 and 17), except for
// bad_msg_notification and bad_server_salt, which correct the clock and
// the salt. A message that fails a check is dropped, and the reason is
// logged at warning level; no key material is ever logged. After
// Options.MaxDropped such messages in a row the connection fails.
//
// # Errors
//
// An rpc_error comes back from Invoke as a *tgerr.Error. A transport error
// frame (such as -404, an unknown auth key) ends Serve with a
// *TransportError. A bad_msg_notification that re-sending cannot fix
// (codes 18, 19, 20, 34, 35, 64) fails the call with a *BadMsgError.
package mtproto
