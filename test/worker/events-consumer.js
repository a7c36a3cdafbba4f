// The events tests' Queue consumer: a Worker like an app's own, consuming Usher's events queue and keeping every
// message it received (GET / answers them; DELETE / forgets them), so tests see exactly what reached the queue.
const received = []

export default {
  async queue(batch) {
    for (const message of batch.messages) {
      received.push({ messageId: message.id, body: message.body })
      message.ack()
    }
  },
  async fetch(request) {
    if (request.method === 'DELETE') received.length = 0
    return Response.json(received)
  },
}
