package mtproto

// QueueLen returns how many messages wait for the writer.
func QueueLen(c *Conn) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}
