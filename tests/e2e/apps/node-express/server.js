const path = require('path');
const express = require('express');
const morgan = require('morgan');

const app = express();
const port = process.env.PORT || 3000;

app.use(morgan('tiny'));
app.use(express.static(path.join(__dirname, 'public')));

app.get('/api/hello', (req, res) => {
  res.json({
    message: 'hello from node-express',
    node: process.version,
    env: process.env.NODE_ENV || 'development',
  });
});

app.listen(port, () => {
  console.log(`node-express listening on port ${port}`);
});
