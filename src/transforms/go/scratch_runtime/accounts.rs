//! The users and groups a runtime's RUN lines create (`addgroup`,
//! `adduser`, `groupadd`, `useradd`), worked out the way the tools do it:
//! the ids each gets, its home, and the `/etc/passwd` and `/etc/group` lines
//! written. A minimal runtime then gets those lines (so names still resolve)
//! and numeric ids in USER and `--chown` (so they hold without a passwd, and
//! `runAsNonRoot` can check them).
//!
//! Alpine's busybox tools pick ids themselves (`adduser -S` the first free
//! uid from 100, `addgroup -S` the first free gid from 100, others from
//! 1000), over the accounts alpine starts with (a table in
//! transforms/tables/runtime-runs.toml): those are worked out. Anywhere else
//! (Debian's `adduser`, shadow's `useradd` picking ids from login.defs) the
//! ids must be given as numbers, or the step is refused.

use crate::catalog;

/// A user a RUN created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub gecos: String,
    pub home: String,
    pub shell: String,
    /// The tool made the home directory (owned by the user).
    pub made_home: bool,
}

/// A group a RUN created (or whose members it changed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Group {
    pub name: String,
    pub gid: u32,
    pub members: Vec<String>,
}

/// The accounts of the runtime: the base image's (when known) and those
/// its RUN lines created.
pub(super) struct Accounts {
    /// Busybox tools over alpine's accounts: ids may be left to the tools.
    alpine: bool,
    base_users: Vec<(String, u32)>,
    base_groups: Vec<(String, u32)>,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
}

const FIRST_SYSTEM_ID: u32 = 100;
const LAST_SYSTEM_ID: u32 = 999;
const FIRST_ID: u32 = 1000;
const LAST_ID: u32 = 60000;

impl Accounts {
    /// The accounts of a runtime based on alpine (`alpine`) or on another image.
    pub fn new(alpine: bool) -> Accounts {
        let (base_users, base_groups) = if alpine {
            let a = &catalog::tables().runtime_runs.alpine_accounts;
            (a.users.clone(), a.groups.clone())
        } else {
            // Every image has these two; nothing else is assumed.
            (
                vec![("root".into(), 0), ("nobody".into(), 65534)],
                vec![("root".into(), 0)],
            )
        };
        Accounts {
            alpine,
            base_users,
            base_groups,
            users: Vec::new(),
            groups: Vec::new(),
        }
    }

    /// True when some RUN created a user or group.
    pub fn any(&self) -> bool {
        !self.users.is_empty() || !self.groups.is_empty()
    }

    /// The uid and primary gid of `name` (a created user, or one of the
    /// base image's known ones: root, nobody, and alpine's).
    pub fn user(&self, name: &str) -> Option<(u32, u32)> {
        if let Some(u) = self.users.iter().find(|u| u.name == name) {
            return Some((u.uid, u.gid));
        }
        let uid = self.base_users.iter().find(|(n, _)| n == name)?.1;
        // Base users' primary groups: only root's and nobody's are assumed.
        match name {
            "root" => Some((0, 0)),
            "nobody" => Some((65534, 65534)),
            _ if self.alpine => {
                let gid = catalog::tables()
                    .runtime_runs
                    .alpine_accounts
                    .groups
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|g| g.1)?;
                Some((uid, gid))
            }
            _ => None,
        }
    }

    /// The gid of group `name`.
    pub fn group(&self, name: &str) -> Option<u32> {
        if let Some(g) = self.groups.iter().find(|g| g.name == name) {
            return Some(g.gid);
        }
        self.base_groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|g| g.1)
    }

    /// True when `name` is a user a RUN created.
    pub fn created(&self, name: &str) -> bool {
        self.users.iter().any(|u| u.name == name)
    }

    fn uid_used(&self, id: u32) -> bool {
        self.base_users.iter().any(|u| u.1 == id) || self.users.iter().any(|u| u.uid == id)
    }

    fn gid_used(&self, id: u32) -> bool {
        self.base_groups.iter().any(|g| g.1 == id) || self.groups.iter().any(|g| g.gid == id)
    }

    fn user_exists(&self, name: &str) -> bool {
        self.created(name) || self.base_users.iter().any(|(n, _)| n == name)
    }

    fn first_free(&self, from: u32, to: u32, used: impl Fn(u32) -> bool) -> Result<u32, String> {
        (from..=to)
            .find(|&i| !used(i))
            .ok_or_else(|| format!("no free id between {from} and {to}"))
    }

    /// Adds `user` to `group`'s members (a base group is copied over first).
    fn add_member(&mut self, user: &str, group: &str) -> Result<(), String> {
        if !self.groups.iter().any(|g| g.name == group) {
            let gid = self
                .group(group)
                .ok_or_else(|| format!("group {group} is not known"))?;
            if !self.alpine || gid != 65533 {
                // A base group other than nogroup: its other lines are not known.
                return Err(format!(
                    "it adds {user} to the image's own group {group}, whose other members dfslim does not know"
                ));
            }
            self.groups.push(Group {
                name: group.to_string(),
                gid,
                members: Vec::new(),
            });
        }
        let g = self
            .groups
            .iter_mut()
            .find(|g| g.name == group)
            .expect("just added");
        if !g.members.iter().any(|m| m == user) {
            g.members.push(user.to_string());
        }
        Ok(())
    }

    /// Runs one command (`args[0]` is its name, the words expanded).
    /// `Err` says why dfslim cannot tell what it does.
    pub fn run(&mut self, args: &[String]) -> Result<(), String> {
        let name = args[0].rsplit('/').next().unwrap_or(&args[0]);
        match name {
            "addgroup" if self.alpine => self.busybox_addgroup(&args[1..]),
            "adduser" if self.alpine => self.busybox_adduser(&args[1..]),
            "groupadd" => self.groupadd(&args[1..]),
            "useradd" => self.useradd(&args[1..]),
            "adduser" | "addgroup" => Err(format!(
                "the ids `{name}` picks depend on the image's own accounts and configuration, which dfslim knows only for alpine; create the user with `useradd -u UID -g GID` (numbers) and dfslim can carry it"
            )),
            _ => Err(format!(
                "`{name}` changes accounts in ways dfslim does not follow"
            )),
        }
    }

    fn busybox_addgroup(&mut self, args: &[String]) -> Result<(), String> {
        let o = parse(args, &[("-g", "--gid")], &[("-S", "--system")])?;
        let system = o.has("-S");
        match o.positional.as_slice() {
            [user, group] if o.is_empty() => {
                if !self.user_exists(user) {
                    return Err(format!("user {user} is not known"));
                }
                self.add_member(user, group)
            }
            [group] => {
                if self.group(group).is_some() {
                    return Err(format!("group {group} already exists"));
                }
                let gid = match o.value("-g") {
                    Some(g) => number(g)?,
                    None if system => {
                        self.first_free(FIRST_SYSTEM_ID, LAST_SYSTEM_ID, |i| self.gid_used(i))?
                    }
                    None => self.first_free(FIRST_ID, LAST_ID, |i| self.gid_used(i))?,
                };
                if self.gid_used(gid) {
                    return Err(format!("gid {gid} is already used"));
                }
                self.groups.push(Group {
                    name: group.clone(),
                    gid,
                    members: Vec::new(),
                });
                Ok(())
            }
            _ => Err("addgroup with these arguments".to_string()),
        }
    }

    fn busybox_adduser(&mut self, args: &[String]) -> Result<(), String> {
        let o = parse(
            args,
            &[
                ("-h", "--home"),
                ("-g", "--gecos"),
                ("-s", "--shell"),
                ("-G", "--ingroup"),
                ("-u", "--uid"),
                ("-k", "--skel"),
            ],
            &[
                ("-D", "--disabled-password"),
                ("-S", "--system"),
                ("-H", "--no-create-home"),
                ("-d", "--empty-password"),
            ],
        )?;
        let user = match o.positional.as_slice() {
            [user, group] if o.is_empty() => {
                if !self.user_exists(user) {
                    return Err(format!("user {user} is not known"));
                }
                return self.add_member(user, group);
            }
            [user] => user.clone(),
            _ => return Err("adduser with these arguments".to_string()),
        };
        if self.user_exists(&user) {
            return Err(format!("user {user} already exists"));
        }
        let system = o.has("-S");
        if !system && !o.has("-D") && !o.has("-d") {
            return Err(
                "adduser without -D asks for a password, which fails in a build".to_string(),
            );
        }
        // A system user without a group goes to nogroup (busybox).
        let group = o
            .value("-G")
            .map(str::to_string)
            .or_else(|| system.then(|| "nogroup".to_string()));
        let gid = match &group {
            Some(g) => Some(
                self.group(g)
                    .ok_or_else(|| format!("group {g} is not known"))?,
            ),
            None => None,
        };
        let uid = match o.value("-u") {
            Some(u) => {
                let u = number(u)?;
                if self.uid_used(u) {
                    return Err(format!("uid {u} is already used"));
                }
                u
            }
            None => {
                let (from, to) = if system {
                    (FIRST_SYSTEM_ID, LAST_SYSTEM_ID)
                } else {
                    (FIRST_ID, LAST_ID)
                };
                // Without a group, the user's own group takes the same id.
                self.first_free(from, to, |i| {
                    self.uid_used(i) || (gid.is_none() && self.gid_used(i))
                })?
            }
        };
        let gid = match gid {
            Some(g) => g,
            None => {
                if self.group(&user).is_some() {
                    return Err(format!("group {user} already exists"));
                }
                self.groups.push(Group {
                    name: user.clone(),
                    gid: uid,
                    members: Vec::new(),
                });
                uid
            }
        };
        if let Some(g) = &group {
            self.add_member(&user, g)?;
        }
        let shell = o
            .value("-s")
            .map(str::to_string)
            .unwrap_or_else(|| if system { "/sbin/nologin" } else { "/bin/sh" }.to_string());
        self.users.push(User {
            home: o
                .value("-h")
                .map_or_else(|| format!("/home/{user}"), str::to_string),
            gecos: o.value("-g").unwrap_or("Linux User,,,").to_string(),
            name: user,
            uid,
            gid,
            shell,
            made_home: !o.has("-H"),
        });
        Ok(())
    }

    fn groupadd(&mut self, args: &[String]) -> Result<(), String> {
        let o = parse(
            args,
            &[("-g", "--gid"), ("-K", "--key")],
            &[
                ("-r", "--system"),
                ("-f", "--force"),
                ("-o", "--non-unique"),
            ],
        )?;
        let [group] = o.positional.as_slice() else {
            return Err("groupadd with these arguments".to_string());
        };
        if self.group(group).is_some() {
            return if o.has("-f") {
                Ok(())
            } else {
                Err(format!("group {group} already exists"))
            };
        }
        let gid = match o.value("-g") {
            Some(g) => number(g)?,
            None => {
                return Err(format!(
                    "groupadd {group} has no -g: the gid it picks depends on the image's login.defs and groups; give it as a number"
                ));
            }
        };
        self.groups.push(Group {
            name: group.clone(),
            gid,
            members: Vec::new(),
        });
        Ok(())
    }

    fn useradd(&mut self, args: &[String]) -> Result<(), String> {
        let o = parse(
            args,
            &[
                ("-u", "--uid"),
                ("-g", "--gid"),
                ("-d", "--home-dir"),
                ("-s", "--shell"),
                ("-c", "--comment"),
                ("-K", "--key"),
                ("-k", "--skel"),
            ],
            &[
                ("-r", "--system"),
                ("-m", "--create-home"),
                ("-M", "--no-create-home"),
                ("-N", "--no-user-group"),
                ("-U", "--user-group"),
                ("-l", "--no-log-init"),
                ("-o", "--non-unique"),
            ],
        )?;
        if o.other.iter().any(|f| f == "-G" || f == "--groups") {
            return Err(
                "useradd -G adds the user to more groups, which dfslim does not carry".into(),
            );
        }
        let [user] = o.positional.as_slice() else {
            return Err("useradd with these arguments".to_string());
        };
        if self.user_exists(user) {
            return Err(format!("user {user} already exists"));
        }
        let Some(uid) = o.value("-u") else {
            return Err(format!(
                "useradd {user} has no -u: the uid it picks depends on the image's login.defs and accounts; give it as a number"
            ));
        };
        let uid = number(uid)?;
        let gid = match o.value("-g") {
            Some(g) if g.bytes().all(|b| b.is_ascii_digit()) => number(g)?,
            Some(g) => self.group(g).ok_or_else(|| {
                format!("group {g} is not known to dfslim; give its gid as a number")
            })?,
            None => {
                return Err(format!(
                    "useradd {user} has no -g: the group it makes or picks depends on the image's login.defs; give the gid as a number"
                ));
            }
        };
        let home = o
            .value("-d")
            .map_or_else(|| format!("/home/{user}"), str::to_string);
        self.users.push(User {
            name: user.clone(),
            uid,
            gid,
            gecos: o.value("-c").unwrap_or("").to_string(),
            home,
            shell: o.value("-s").unwrap_or("/bin/sh").to_string(),
            made_home: o.has("-m") && !o.has("-M"),
        });
        Ok(())
    }

    /// `/etc/passwd` lines of the created users.
    pub fn passwd_lines(&self) -> Vec<String> {
        self.users
            .iter()
            .map(|u| {
                format!(
                    "{}:x:{}:{}:{}:{}:{}",
                    u.name, u.uid, u.gid, u.gecos, u.home, u.shell
                )
            })
            .collect()
    }

    /// `/etc/group` lines of the created groups (and groups given members).
    pub fn group_lines(&self) -> Vec<String> {
        self.groups
            .iter()
            .map(|g| format!("{}:x:{}:{}", g.name, g.gid, g.members.join(",")))
            .collect()
    }
}

/// Options read the way getopt_long reads them (busybox on musl permutes
/// too): `-u 100`, `-u100`, `--uid 100`, `--uid=100`, bundled flags `-SD`,
/// options after the names.
struct Opts {
    /// (short name, value).
    values: Vec<(&'static str, String)>,
    flags: Vec<&'static str>,
    /// Options not in either list.
    other: Vec<String>,
    positional: Vec<String>,
}

impl Opts {
    fn value(&self, short: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(s, _)| *s == short)
            .map(|(_, v)| v.as_str())
    }
    fn has(&self, short: &str) -> bool {
        self.flags.contains(&short)
    }
    fn is_empty(&self) -> bool {
        self.values.is_empty() && self.flags.is_empty() && self.other.is_empty()
    }
}

fn parse(
    args: &[String],
    with_value: &[(&'static str, &'static str)],
    flags: &[(&'static str, &'static str)],
) -> Result<Opts, String> {
    let mut o = Opts {
        values: Vec::new(),
        flags: Vec::new(),
        other: Vec::new(),
        positional: Vec::new(),
    };
    let mut i = 0;
    let mut only_names = false;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if only_names || !a.starts_with('-') || a == "-" {
            o.positional.push(a.clone());
            continue;
        }
        if a == "--" {
            only_names = true;
            continue;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let full = format!("--{name}");
            if let Some((s, _)) = with_value.iter().find(|(_, l)| *l == full) {
                let v = match inline {
                    Some(v) => v,
                    None => {
                        let v = args.get(i).ok_or_else(|| format!("{full} has no value"))?;
                        i += 1;
                        v.clone()
                    }
                };
                o.values.push((s, v));
            } else if let Some((s, _)) = flags.iter().find(|(_, l)| *l == full) {
                o.flags.push(s);
            } else {
                o.other.push(full);
            }
            continue;
        }
        // Short options, possibly bundled: -SD, -u100, -Gapp.
        let chars: Vec<char> = a[1..].chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let short = format!("-{}", chars[k]);
            if let Some((s, _)) = with_value.iter().find(|(s, _)| *s == short) {
                let rest: String = chars[k + 1..].iter().collect();
                let v = if rest.is_empty() {
                    let v = args.get(i).ok_or_else(|| format!("{short} has no value"))?;
                    i += 1;
                    v.clone()
                } else {
                    rest
                };
                o.values.push((s, v));
                break;
            } else if let Some((s, _)) = flags.iter().find(|(s, _)| *s == short) {
                o.flags.push(s);
            } else {
                o.other.push(short);
            }
            k += 1;
        }
    }
    Ok(o)
}

fn number(s: &str) -> Result<u32, String> {
    s.parse().map_err(|_| format!("{s:?} is not a numeric id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(acc: &mut Accounts, line: &str) -> Result<(), String> {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        acc.run(&args)
    }

    #[test]
    fn busybox_ids_as_alpine_gives_them() {
        // The base helper's measurement on the alpine stand-in: 100:101.
        let mut a = Accounts::new(true);
        run(&mut a, "addgroup -S app").unwrap();
        run(&mut a, "adduser -S -G app app").unwrap();
        assert_eq!(a.user("app"), Some((100, 101)));
        assert_eq!(
            a.passwd_lines(),
            ["app:x:100:101:Linux User,,,:/home/app:/sbin/nologin"]
        );
        assert_eq!(a.group_lines(), ["app:x:101:app"]);
        // Options after the name (getopt_long permutes), no -G: nogroup.
        let mut a = Accounts::new(true);
        run(&mut a, "adduser svc -S").unwrap();
        assert_eq!(a.user("svc"), Some((100, 65533)));
        assert_eq!(a.group_lines(), ["nogroup:x:65533:svc"]);
        // A normal user gets its own group with the same id.
        let mut a = Accounts::new(true);
        run(&mut a, "adduser -D -s /bin/sh cortex").unwrap();
        assert_eq!(a.user("cortex"), Some((1000, 1000)));
        assert_eq!(a.group_lines(), ["cortex:x:1000:"]);
        // Long options and explicit ids, as in the classic scratch recipe.
        let mut a = Accounts::new(true);
        run(
            &mut a,
            "adduser --disabled-password --gecos x --home /nonexistent --shell /sbin/nologin --no-create-home --uid 10001 appuser",
        )
        .unwrap();
        assert_eq!(a.user("appuser"), Some((10001, 10001)));
        assert!(!a.users[0].made_home);
        assert_eq!(a.users[0].home, "/nonexistent");
        // Two system groups in a row.
        let mut a = Accounts::new(true);
        run(&mut a, "addgroup -S a").unwrap();
        run(&mut a, "addgroup -S b").unwrap();
        assert_eq!((a.group("a"), a.group("b")), (Some(101), Some(102)));
    }

    #[test]
    fn refuses_what_it_cannot_tell() {
        let mut a = Accounts::new(true);
        assert!(run(&mut a, "adduser app").unwrap_err().contains("password"));
        assert!(
            run(&mut a, "adduser -D -G staff app")
                .unwrap_err()
                .contains("staff")
        );
        let mut a = Accounts::new(false);
        assert!(run(&mut a, "useradd -r app").unwrap_err().contains("no -u"));
        assert!(
            run(&mut a, "adduser --system app")
                .unwrap_err()
                .contains("knows only for alpine")
        );
        run(&mut a, "groupadd -g 2000 app").unwrap();
        run(&mut a, "useradd -u 2000 -g app -m app").unwrap();
        assert_eq!(a.user("app"), Some((2000, 2000)));
        assert!(a.users[0].made_home);
    }
}
