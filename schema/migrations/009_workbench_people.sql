-- The people side of the workbench: teams, presence bookkeeping, the audit
-- log of admin changes, canned responses with prefix search, and contact
-- merges. See gateway/store/{team,canned,audit,contact}_store.* for the C++ side.

-- Teams. An overflowing queue falls through to fallback_team_id (the router
-- follows it); a deleted fallback just ends the chain.
CREATE TABLE teams (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name             text NOT NULL UNIQUE CHECK (name <> ''),
  fallback_team_id bigint REFERENCES teams(id) ON DELETE SET NULL CHECK (fallback_team_id <> id),
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE agent_teams (
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  team_id  bigint NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
  PRIMARY KEY (agent_id, team_id)
);
CREATE INDEX agent_teams_team ON agent_teams (team_id);

-- History keeps a conversation when its team goes away (the API refuses to
-- delete a team that still has open conversations).
ALTER TABLE conversations ADD CONSTRAINT conversations_team_fk
  FOREIGN KEY (team_id) REFERENCES teams(id) ON DELETE SET NULL;

-- Presence: who set it last decides what a socket may change. An agent who
-- chose away or offline stays so when a socket connects; a presence the
-- sockets set follows them. presence_since is when it last changed (the
-- router's "online since" for longest-idle).
ALTER TABLE agents
  ADD COLUMN presence_set_by text NOT NULL DEFAULT 'socket' CHECK (presence_set_by IN ('agent', 'socket', 'admin')),
  ADD COLUMN presence_since timestamptz NOT NULL DEFAULT now(),
  ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- Which gateway node has at least one workbench socket open for an agent.
-- Nodes refresh seen_at while they live; a dead node's rows go stale and
-- are swept (gateway/store/presence_store.h).
CREATE TABLE agent_sockets (
  agent_id bigint NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  node_id  text NOT NULL,
  seen_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agent_id, node_id)
);
CREATE INDEX agent_sockets_node ON agent_sockets (node_id);

-- Every admin change (users, teams, channels, team/global canned responses)
-- and every contact merge, written in the same transaction as the change.
-- detail never holds a secret or a password hash.
CREATE TABLE audit_log (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor_id    bigint REFERENCES agents(id),
  action      text NOT NULL,
  target_type text NOT NULL,
  target_id   bigint,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);

-- Canned responses: global (no team, no owner), a team's, or an agent's own.
CREATE TABLE canned_responses (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  shortcode   text NOT NULL CHECK (shortcode <> ''),
  title       text NOT NULL DEFAULT '',
  body        text NOT NULL CHECK (body <> ''),
  team_id     bigint REFERENCES teams(id) ON DELETE CASCADE,
  owner_id    bigint REFERENCES agents(id) ON DELETE CASCADE,
  created_by  bigint REFERENCES agents(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (team_id IS NULL OR owner_id IS NULL)
);
-- One shortcode per scope; text_pattern_ops serves LIKE 'prefix%' whatever
-- the database's collation.
CREATE UNIQUE INDEX canned_responses_shortcode_per_scope
  ON canned_responses (coalesce(owner_id, 0), coalesce(team_id, 0), lower(shortcode));
CREATE INDEX canned_responses_shortcode_prefix ON canned_responses (lower(shortcode) text_pattern_ops);
CREATE INDEX canned_responses_title_prefix ON canned_responses (lower(title) text_pattern_ops);
CREATE INDEX canned_responses_owner ON canned_responses (owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX canned_responses_team ON canned_responses (team_id) WHERE team_id IS NOT NULL;

-- Where a word may start, for prefix search over titles and bodies: the
-- lowercased words between spaces and punctuation (ASCII and CJK), plus every
-- suffix of a word that starts at a CJK character, since Chinese and Japanese
-- write words without spaces ("已发货" can be found by "发" and "发货").
-- Terms are cut to 32 characters: a prefix query is never longer in practice.
CREATE FUNCTION og_search_terms(p_text text) RETURNS SETOF text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  WITH words AS (
    SELECT w FROM regexp_split_to_table(lower(left(p_text, 4000)),
      '[[:space:][:punct:]，。、；：？！“”‘’（）《》【】「」『』〈〉…—～·　]+') AS w
    WHERE w <> ''),
  starts AS (
    SELECT w, 1 AS pos FROM words
    UNION
    SELECT w, g.i FROM words CROSS JOIN LATERAL generate_series(2, char_length(w)) AS g(i)
    WHERE substr(w, g.i, 1) ~ '[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]')
  SELECT DISTINCT left(substr(w, pos), 32) FROM starts;
$$;

CREATE TABLE canned_response_terms (
  canned_id bigint NOT NULL REFERENCES canned_responses(id) ON DELETE CASCADE,
  field     text NOT NULL CHECK (field IN ('title', 'body')),
  term      text NOT NULL,
  PRIMARY KEY (canned_id, field, term)
);
CREATE INDEX canned_response_terms_prefix ON canned_response_terms (term text_pattern_ops, field);

-- The terms follow every write, whatever code path makes it.
CREATE FUNCTION og_index_canned_response() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM canned_response_terms WHERE canned_id = NEW.id;
  INSERT INTO canned_response_terms (canned_id, field, term)
  SELECT NEW.id, 'title', t FROM og_search_terms(NEW.title) AS t
  UNION
  SELECT NEW.id, 'body', t FROM og_search_terms(NEW.body) AS t;
  RETURN NULL;
END;
$$;
CREATE TRIGGER canned_responses_index AFTER INSERT OR UPDATE OF title, body ON canned_responses
  FOR EACH ROW EXECUTE FUNCTION og_index_canned_response();

-- Contacts: a merged contact keeps its row (and id) pointing at the one it
-- was merged into; its identities and conversations have moved there.
ALTER TABLE contacts
  ADD COLUMN merged_into_id bigint REFERENCES contacts(id),
  ADD COLUMN merged_at timestamptz;
-- Contact search: by name prefix and by identity (OpenID, email, visitor id) prefix.
CREATE INDEX contacts_name_prefix ON contacts (lower(name) text_pattern_ops) WHERE merged_into_id IS NULL;
CREATE INDEX contact_identities_external_prefix ON contact_identities (lower(external_id) text_pattern_ops);
CREATE INDEX conversations_contact ON conversations (contact_id, id);
