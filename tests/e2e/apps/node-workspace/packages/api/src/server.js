const express = require('express');
const { greeting } = require('@acme/greeting');

const app = express();
const port = process.env.PORT || 4000;
const started = Date.now();

app.get('/', (req, res) => {
  res.type('text/plain').send(greeting(req.query.name || 'world', Date.now() - started) + '\n');
});

app.listen(port, () => {
  console.log(`node-workspace api listening on port ${port}`);
});
