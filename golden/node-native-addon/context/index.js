require('bcrypt');
