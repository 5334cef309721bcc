const express = require('express');
const app = express();
const server = app.listen(process.env.PORT);
process.on('SIGTERM', () => server.close());
