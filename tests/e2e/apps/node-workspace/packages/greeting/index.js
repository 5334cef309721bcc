const ms = require('ms');

function greeting(name, uptimeMs) {
  return `hello ${name} from node-workspace (up ${ms(uptimeMs, { long: true })})`;
}

module.exports = { greeting };
