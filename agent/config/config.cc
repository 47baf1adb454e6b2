#include "agent/config/config.h"


#include <set>

#include "agent/base/file_util.h"
#include "agent/config/reader.h"
#include "agent/config/toml_parse.h"
#include "agent/model/labels.h"

namespace cistern::config {
namespace {

class Decoder {
 public:
  Decoder(std::string file, Errors* errors) : file_(std::move(file)), errors_(errors) {
    auto slash = file_.rfind('/');
    dir_ = slash == std::string::npos ? "." : file_.substr(0, slash);
  }

  void Global(TableReader& root, GlobalConfig* g) {
    TableReader r(root.Table("global"), "global", errors_);
    r.String("data_dir", &g->data_dir);
    if (g->data_dir.empty()) r.Fail("data_dir", "must not be empty");
    std::string s;
    if (r.OneOf("log_level", &s, {"trace", "debug", "info", "warn", "error"})) g->log_level = *obs::ParseLogLevel(s);
    if (r.OneOf("log_format", &s, {"text", "json"})) g->log_format = *obs::ParseLogFormat(s);
    r.Dur("interval", &g->interval, Duration(1));
    r.LabelMap("external_labels", &g->external_labels);
    r.Finish();
  }

  void Http(TableReader& root, HttpConfig* h) {
    TableReader r(root.Table("http"), "http", errors_);
    if (r.String("listen", &h->listen)) {
      if (std::string e = CheckListen(h->listen); !e.empty()) r.Fail("listen", e);
    }
    r.Bool("enable_admin_api", &h->enable_admin_api);
    r.Finish();
  }

  void Wal(TableReader& root, WalConfig* w) {
    TableReader r(root.Table("wal"), "wal", errors_);
    r.Size("segment_size", &w->segment_size, 1ULL << 20, 1ULL << 30);
    r.Size("max_size", &w->max_size, 1ULL << 20);
    if (w->max_size < w->segment_size) {
      r.Fail("max_size", "max_size " + FormatSize(w->max_size) + " is smaller than segment_size " +
                             FormatSize(w->segment_size));
    }
    if (const Value* v = r.Raw("fsync")) {
      if (!v->is(Value::Type::kString)) {
        r.Fail("fsync", "expected \"always\", \"never\" or a duration like \"1s\", got " + std::string(v->TypeName()));
      } else if (v->AsString() == "always") {
        w->fsync = FsyncMode::kAlways;
      } else if (v->AsString() == "never") {
        w->fsync = FsyncMode::kNever;
      } else {
        auto d = ParseDuration(v->AsString());
        if (!d.ok() || d->count() <= 0) {
          r.Fail("fsync", "expected \"always\", \"never\" or a duration > 0 like \"1s\", got \"" + v->AsString() + "\"");
        } else {
          w->fsync = FsyncMode::kInterval;
          w->fsync_interval = *d;
        }
      }
    }
    r.Dur("max_age", &w->max_age);
    r.Finish();
  }

  std::string ReadSecretFile(TableReader& r, std::string_view key) {
    std::string path;
    if (!r.String(key, &path)) return "";
    std::string full = !path.empty() && path[0] == '/' ? path : dir_ + "/" + path;
    auto content = ReadFile(full, 1 << 20);
    if (!content.ok()) {
      r.Fail(key, content.status().message());
      return "";
    }
    std::string s = std::move(*content);
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
    return s;
  }

  std::optional<BasicAuth> BasicAuthOf(TableReader& parent) {
    const Value* t = parent.Table("basic_auth");
    if (!t) return std::nullopt;
    TableReader r(t, parent.KeyPath("basic_auth"), errors_);
    BasicAuth a;
    r.Require("username");
    r.String("username", &a.username);
    r.String("password", &a.password);
    if (r.Has("password_file")) {
      if (r.Has("password")) r.Fail("password_file", "give either password or password_file, not both");
      a.password = ReadSecretFile(r, "password_file");
    } else {
      r.Raw("password_file");
    }
    r.Finish();
    return a;
  }

  std::string BearerOf(TableReader& r) {
    std::string token;
    r.String("bearer_token", &token);
    if (r.Has("bearer_token_file")) {
      if (r.Has("bearer_token")) r.Fail("bearer_token_file", "give either bearer_token or bearer_token_file, not both");
      token = ReadSecretFile(r, "bearer_token_file");
    } else {
      r.Raw("bearer_token_file");
    }
    return token;
  }

  void Tls(TableReader& parent, TlsConfig* tls) {
    const Value* t = parent.Table("tls");
    if (!t) return;
    TableReader r(t, parent.KeyPath("tls"), errors_);
    for (auto [key, out] : {std::pair{"ca_file", &tls->ca_file}, {"cert_file", &tls->cert_file},
                            {"key_file", &tls->key_file}}) {
      if (r.String(key, out) && !out->empty() && (*out)[0] != '/') *out = dir_ + "/" + *out;
    }
    r.Bool("insecure_skip_verify", &tls->insecure_skip_verify);
    if (tls->cert_file.empty() != tls->key_file.empty()) r.Fail("cert_file", "cert_file and key_file go together");
    r.Finish();
  }

  void Url(TableReader& r, std::string* url) {
    r.Require("url");
    if (r.String("url", url)) {
      if (std::string e = CheckUrl(*url); !e.empty()) r.Fail("url", e);
    }
  }

  void Relabel(const Value* v, const std::string& path, std::vector<RelabelConfig>* out) {
    TableReader r(v, path, errors_);
    RelabelConfig c;
    c.position = v->position();
    model::RelabelRule& rule = c.rule;
    r.StringList("source_labels", &rule.source_labels);
    r.String("separator", &rule.separator);
    r.String("target_label", &rule.target_label);
    r.String("replacement", &rule.replacement);
    r.String("regex", &rule.regex);
    std::string action;
    if (r.String("action", &action)) {
      auto a = model::ParseRelabelAction(action);
      if (a.ok()) {
        rule.action = *a;
      } else {
        r.Fail("action", a.status().message());
      }
    }
    int64_t modulus = 0;
    if (r.Int("modulus", &modulus, 1)) rule.modulus = static_cast<uint64_t>(modulus);
    for (const std::string& l : rule.source_labels) {
      if (!model::IsValidLabelName(l)) r.Fail("source_labels", "invalid label name \"" + l + "\"");
    }
    // The runtime's own compiler checks the regex and per-action requirements.
    if (auto compiled = model::Relabeler::Compile({rule}); !compiled.ok()) {
      std::string msg = compiled.status().message();
      if (auto colon = msg.find(": "); colon != std::string::npos) msg = msg.substr(colon + 2);  // drop "rule 0 (x)"
      const char* key = msg.rfind("invalid regex", 0) == 0           ? "regex"
                        : msg.find("modulus") != std::string::npos     ? "modulus"
                        : msg.find("target_label") != std::string::npos ? "target_label"
                                                                        : "action";
      r.Fail(key, msg);
    }
    r.Finish();
    out->push_back(std::move(c));
  }

  void Queue(TableReader& parent, QueueConfig* q) {
    const Value* t = parent.Table("queue");
    if (!t) return;
    TableReader r(t, parent.KeyPath("queue"), errors_);
    r.Int("max_samples_per_send", &q->max_samples_per_send, 1, 100000);
    r.Dur("batch_send_deadline", &q->batch_send_deadline, Duration(1));
    r.Int("max_shards", &q->max_shards, 0, 1000);
    r.Int("min_shards", &q->min_shards, 1, 1000);
    r.Dur("min_backoff", &q->min_backoff, Duration(1));
    r.Dur("max_backoff", &q->max_backoff, Duration(1));
    if (q->min_backoff > q->max_backoff) r.Fail("min_backoff", "min_backoff is larger than max_backoff");
    if (q->max_shards != 0 && q->min_shards > q->max_shards) r.Fail("min_shards", "min_shards is larger than max_shards");
    r.Finish();
  }

  void RemoteWrite(const Value* v, size_t index, std::vector<RemoteWriteConfig>* out) {
    std::string path = "remote_write[" + std::to_string(index) + "]";
    TableReader r(v, path, errors_);
    RemoteWriteConfig c;
    c.position = v->position();
    Url(r, &c.url);
    r.String("name", &c.name);
    r.Dur("timeout", &c.timeout, Duration(1));
    r.StringMap("headers", &c.headers);
    r.LabelMap("external_labels", &c.external_labels);
    c.basic_auth = BasicAuthOf(r);
    c.bearer_token = BearerOf(r);
    Tls(r, &c.tls);
    if (r.String("proxy_url", &c.proxy_url) && !c.proxy_url.empty()) {
      if (std::string e = CheckUrl(c.proxy_url); !e.empty()) r.Fail("proxy_url", e);
    }
    Queue(r, &c.queue);
    std::string catch_up;
    if (r.OneOf("catch_up", &catch_up, {"oldest_first", "live_first"})) {
      c.catch_up = catch_up == "live_first" ? CatchUp::kLiveFirst : CatchUp::kOldestFirst;
    }
    r.Float("max_drain_rate", &c.max_drain_rate, 0);
    r.Dur("reconnect_jitter", &c.reconnect_jitter);
    r.Dur("catch_up_threshold", &c.catch_up_threshold, Duration(1));
    r.Dur("sample_age_limit", &c.sample_age_limit);
    if (const Value* list = r.Raw("write_relabel_configs")) {
      if (!list->is(Value::Type::kArray)) {
        r.Fail("write_relabel_configs", "expected an array of tables, got " + std::string(list->TypeName()));
      } else {
        for (size_t i = 0; i < list->AsArray().size(); ++i) {
          const Value& e = list->AsArray()[i];
          std::string p = path + ".write_relabel_configs[" + std::to_string(i) + "]";
          if (!e.is(Value::Type::kTable)) {
            errors_->Add(e.position(), p, "expected a table, got " + std::string(e.TypeName()));
          } else {
            Relabel(&e, p, &c.write_relabel_configs);
          }
        }
      }
    }
    if (c.basic_auth && !c.bearer_token.empty()) r.Fail("bearer_token_file", "give either basic_auth or a bearer token");
    r.Finish();
    out->push_back(std::move(c));
  }

  void Storage(TableReader& root, StorageConfig* s) {
    TableReader r(root.Table("storage"), "storage", errors_);
    r.Dur("retention", &s->retention, Duration(3600 * 1000));
    r.Size("retention_size", &s->retention_size);
    r.Dur("block_duration", &s->block_duration, Duration(60 * 1000));
    r.Dur("out_of_order_window", &s->out_of_order_window);
    if (s->retention < s->block_duration) r.Fail("retention", "retention is shorter than block_duration");
    r.Finish();
  }

  void Receiver(TableReader& root, ReceiverConfig* c) {
    TableReader r(root.Table("receiver"), "receiver", errors_);
    r.Size("max_body", &c->max_body, 1024, 1ULL << 30);
    r.Size("max_decoded_body", &c->max_decoded_body, 1024, 4ULL << 30);
    r.Int("max_series_per_request", &c->max_series_per_request, 1, 100'000'000);
    r.Int("max_labels_per_series", &c->max_labels_per_series, 1, 10'000);
    r.Int("max_label_name_length", &c->max_label_name_length, 1, 1 << 20);
    r.Int("max_label_value_length", &c->max_label_value_length, 1, 1 << 24);
    r.Size("max_pending", &c->max_pending, 1 << 20);
    r.Finish();
  }

  void Query(TableReader& root, QueryConfig* c) {
    TableReader r(root.Table("query"), "query", errors_);
    r.Dur("timeout", &c->timeout, Duration(1));
    r.Int("max_samples", &c->max_samples, 1);
    r.Int("max_concurrency", &c->max_concurrency, 1, 1024);
    r.Dur("lookback_delta", &c->lookback_delta, Duration(1));
    r.Finish();
  }

  void Rules(TableReader& root, RulesConfig* c) {
    TableReader r(root.Table("rules"), "rules", errors_);
    r.StringList("files", &c->files);
    r.Dur("evaluation_interval", &c->evaluation_interval, Duration(1));
    r.Dur("local_retention", &c->local_retention, Duration(1));
    r.Finish();
  }

  void Alerting(TableReader& root, AlertingConfig* a) {
    TableReader r(root.Table("alerting"), "alerting", errors_);
    size_t i = 0;
    for (const Value* v : r.TableList("alertmanagers")) {
      TableReader ar(v, "alerting.alertmanagers[" + std::to_string(i++) + "]", errors_);
      AlertmanagerConfig c;
      c.position = v->position();
      Url(ar, &c.url);
      ar.Dur("timeout", &c.timeout, Duration(1));
      c.basic_auth = BasicAuthOf(ar);
      c.bearer_token = BearerOf(ar);
      Tls(ar, &c.tls);
      ar.Finish();
      a->alertmanagers.push_back(std::move(c));
    }
    i = 0;
    for (const Value* v : r.TableList("webhooks")) {
      TableReader wr(v, "alerting.webhooks[" + std::to_string(i++) + "]", errors_);
      WebhookConfig c;
      c.position = v->position();
      Url(wr, &c.url);
      wr.Dur("timeout", &c.timeout, Duration(1));
      wr.StringMap("headers", &c.headers);
      wr.Finish();
      a->webhooks.push_back(std::move(c));
    }
    r.Finish();
  }

  void Input(const std::string& plugin, int index, const Value* v, std::vector<InputConfig>* out) {
    InputConfig in;
    in.plugin = plugin;
    in.index = index;
    in.id = index < 0 ? plugin : plugin + "[" + std::to_string(index) + "]";
    in.position = v->position();
    TableReader r(v, "inputs." + in.id, errors_);
    r.Bool("enabled", &in.enabled);
    r.Dur("interval", &in.interval, Duration(1));
    r.LabelMap("labels", &in.labels);
    Value::Table rest;
    for (const auto& [k, val] : v->AsTable()) {
      if (k != "enabled" && k != "interval" && k != "labels") rest.emplace_back(k, val);
    }
    in.options = Value::MakeTable(std::move(rest), v->position());
    out->push_back(std::move(in));
  }

  void Inputs(TableReader& root, std::vector<InputConfig>* out) {
    const Value* t = root.Table("inputs");
    if (!t) return;
    for (const auto& [name, v] : t->AsTable()) {
      if (v.is(Value::Type::kTable)) {
        Input(name, -1, &v, out);
      } else if (v.is(Value::Type::kArray)) {
        int i = 0;
        for (const Value& e : v.AsArray()) {
          if (!e.is(Value::Type::kTable)) {
            errors_->Add(e.position(), "inputs." + name, "expected [[inputs." + name + "]] tables");
            continue;
          }
          Input(name, i++, &e, out);
        }
      } else {
        errors_->Add(v.position(), "inputs." + name,
                     "expected a table [inputs." + name + "] or tables [[inputs." + name + "]], got " +
                         std::string(v.TypeName()));
      }
    }
  }

  void NameRemoteWrites(std::vector<RemoteWriteConfig>* rws) {
    std::set<std::string> used;
    for (const auto& rw : *rws) {
      if (!rw.name.empty() && !used.insert(rw.name).second) {
        errors_->Add(rw.position, "remote_write", "duplicate name \"" + rw.name + "\"");
      }
    }
    for (auto& rw : *rws) {
      if (!rw.name.empty()) continue;
      std::string base = rw.url.substr(rw.url.find("://") == std::string::npos ? 0 : rw.url.find("://") + 3);
      base = base.substr(0, base.find_first_of("/?#"));
      if (auto at = base.rfind('@'); at != std::string::npos) base = base.substr(at + 1);
      std::string name = base;
      for (int n = 2; used.count(name); ++n) name = base + "-" + std::to_string(n);
      used.insert(name);
      rw.name = name;
    }
  }

 private:
  std::string file_;
  std::string dir_;
  Errors* errors_;
};

}  // namespace

StatusOr<Config> ParseConfig(std::string_view text, std::string_view filename, Config defaults) {
  CISTERN_ASSIGN_OR_RETURN(Value root, ParseTomlText(text, filename));
  Errors errors;
  Config c = std::move(defaults);
  c.path = std::string(filename);
  Decoder d(c.path, &errors);
  TableReader r(&root, "", &errors);
  d.Global(r, &c.global);
  d.Http(r, &c.http);
  d.Wal(r, &c.wal);
  size_t i = 0;
  for (const Value* v : r.TableList("remote_write")) d.RemoteWrite(v, i++, &c.remote_write);
  d.NameRemoteWrites(&c.remote_write);
  d.Storage(r, &c.storage);
  d.Receiver(r, &c.receiver);
  d.Query(r, &c.query);
  d.Rules(r, &c.rules);
  d.Alerting(r, &c.alerting);
  d.Inputs(r, &c.inputs);
  r.Finish();
  if (!errors.empty()) return InvalidArgumentError(errors.Join());
  return c;
}

StatusOr<Config> LoadConfigFile(const std::string& path, Config defaults) {
  auto text = ReadFile(path, 16 << 20);
  if (!text.ok()) return InvalidArgumentError(text.status().message());
  return ParseConfig(*text, path, std::move(defaults));
}

}  // namespace cistern::config
