const express = require('express');
const disk = require('diskusage'); // a C++ addon built by node-gyp when installed

const app = express();
const port = process.env.PORT || 3000;

app.get('/', (req, res) => {
  const info = disk.checkSync('/');
  res.json({
    message: 'hello from node-native',
    addon: 'diskusage (native)',
    rootFreeMiB: Math.round(info.free / 1048576),
    rootTotalMiB: Math.round(info.total / 1048576),
  });
});

app.listen(port, () => {
  console.log(`node-native listening on port ${port}`);
});
