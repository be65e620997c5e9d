// `nexus completion bash|zsh|fish`: a completion script written from the parser's own tree of
// commands and flags when it is asked for, so that it never falls behind the commands.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands/command_helpers.h"
#include "cli/commands/exit_codes.h"

namespace nexus::cli {
namespace {

struct Flag {
  std::vector<std::string> names;  // "-l", "--long"
  std::string description;
  bool takes_value = false;
  bool inherited = false;  // a parent's, accepted because the command falls through
};

// One command of the tree: "nexus", "nexus versions", "nexus versions get", ...
struct Command {
  std::string path;
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
  std::vector<Flag> flags;  // its own, then those of its parents it accepts too
};

std::vector<Flag> FlagsOf(const CLI::App* app) {
  std::vector<Flag> flags;
  for (const CLI::Option* opt : app->get_options()) {
    if (!opt->nonpositional()) continue;
    Flag flag{{}, opt->get_description(), opt->get_expected_max() != 0};
    for (const std::string& s : opt->get_snames()) flag.names.push_back("-" + s);
    for (const std::string& l : opt->get_lnames()) flag.names.push_back("--" + l);
    flags.push_back(std::move(flag));
  }
  return flags;
}

// `inherited`: the flags of the parents, which a command that falls through accepts.
void Collect(CLI::App* app, const std::string& path, const std::vector<Flag>& inherited,
             std::vector<Command>* out) {
  Command command{path, {}, FlagsOf(app)};
  if (app->get_fallthrough()) {
    for (const Flag& flag : inherited) {
      const bool own = std::any_of(command.flags.begin(), command.flags.end(),
                                   [&](const Flag& f) { return f.names == flag.names; });
      if (!own) {
        command.flags.push_back(flag);
        command.flags.back().inherited = true;
      }
    }
  }
  const std::vector<CLI::App*> subs = app->get_subcommands([](CLI::App*) { return true; });
  for (const CLI::App* sub : subs)
    command.subcommands.emplace_back(sub->get_name(), sub->get_description());
  const std::vector<Flag> flags = command.flags;
  out->push_back(std::move(command));
  for (CLI::App* sub : subs) Collect(sub, path + " " + sub->get_name(), flags, out);
}

// The command paths as a case pattern: "nexus ls"|"nexus versions"|...
std::string PathPattern(const std::vector<Command>& tree) {
  std::string pattern;
  for (size_t i = 1; i < tree.size(); ++i)
    pattern += (pattern.empty() ? "\"" : "|\"") + tree[i].path + "\"";
  return pattern;
}

// "<path> <flag>" for every flag that takes a value: after one, a file or free text follows.
// The global flags (the root's) match after any command.
std::string ValuePattern(const std::vector<Command>& tree) {
  std::string pattern;
  for (const Command& c : tree) {
    for (const Flag& f : c.flags) {
      if (!f.takes_value || f.inherited) continue;
      for (const std::string& name : f.names) {
        pattern += pattern.empty() ? "" : "|";
        pattern += &c == &tree.front() ? "*\" " + name + "\"" : "\"" + c.path + " " + name + "\"";
      }
    }
  }
  return pattern;
}

std::string Words(const Command& c) {
  std::string words;
  for (const auto& [name, description] : c.subcommands) words += (words.empty() ? "" : " ") + name;
  for (const Flag& f : c.flags) {
    for (const std::string& name : f.names) words += (words.empty() ? "" : " ") + name;
  }
  return words;
}

std::string Bash(const std::vector<Command>& tree) {
  std::string s =
      "# bash completion for nexus, written by `nexus completion bash`.\n"
      "# Load it with: source <(nexus completion bash)\n"
      "_nexus() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" nexus_path=nexus i\n"
      "  COMPREPLY=()\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"$nexus_path ${COMP_WORDS[i]}\" in\n"
      "      " +
      PathPattern(tree) +
      ") nexus_path=\"$nexus_path ${COMP_WORDS[i]}\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$nexus_path ${COMP_WORDS[COMP_CWORD-1]}\" in\n"
      "    " +
      ValuePattern(tree) +
      ") return ;;\n"
      "  esac\n"
      "  local words\n"
      "  case \"$nexus_path\" in\n";
  for (const Command& c : tree) s += "    \"" + c.path + "\") words=\"" + Words(c) + "\" ;;\n";
  s += "  esac\n"
       "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
       "}\n"
       "complete -o default -F _nexus nexus\n";
  return s;
}

// `text` inside single quotes for zsh and fish: a quote becomes '\''.
std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string Zsh(const std::vector<Command>& tree) {
  std::string s =
      "#compdef nexus\n"
      "# zsh completion for nexus, written by `nexus completion zsh`.\n"
      "# Load it with: source <(nexus completion zsh), or save it as _nexus in your $fpath.\n"
      "_nexus() {\n"
      "  local nexus_path=nexus i\n"
      "  for ((i = 2; i < CURRENT; i++)); do\n"
      "    case \"$nexus_path ${words[i]}\" in\n"
      "      (" +
      PathPattern(tree) +
      ") nexus_path=\"$nexus_path ${words[i]}\" ;;\n"
      "    esac\n"
      "  done\n"
      "  case \"$nexus_path ${words[CURRENT-1]}\" in\n"
      "    (" +
      ValuePattern(tree) +
      ") _default; return ;;\n"
      "  esac\n"
      "  local -a items\n"
      "  case \"$nexus_path\" in\n";
  for (const Command& c : tree) {
    s += "    (\"" + c.path + "\") items=(";
    for (const auto& [name, description] : c.subcommands)
      s += " " + Quoted(name + ":" + description);
    for (const Flag& f : c.flags) {
      for (const std::string& name : f.names) s += " " + Quoted(name + ":" + f.description);
    }
    s += ") ;;\n";
  }
  s += "  esac\n"
       "  _describe -t items nexus items\n"
       "}\n"
       "if [ \"$funcstack[1]\" = \"_nexus\" ]; then _nexus \"$@\"; else compdef _nexus nexus; fi\n";
  return s;
}

std::string Fish(const std::vector<Command>& tree) {
  std::string s =
      "# fish completion for nexus, written by `nexus completion fish`.\n"
      "# Load it with: nexus completion fish | source\n"
      "function __nexus_path\n"
      "    set -l nexus_path nexus\n"
      "    for w in (commandline -opc)[2..-1]\n"
      "        switch \"$nexus_path $w\"\n"
      "            case";
  for (size_t i = 1; i < tree.size(); ++i) s += " " + Quoted(tree[i].path);
  s += "\n"
       "                set nexus_path \"$nexus_path $w\"\n"
       "        end\n"
       "    end\n"
       "    echo $nexus_path\n"
       "end\n"
       "complete -c nexus -f\n";
  for (const Command& c : tree) {
    const std::string when = " -n " + Quoted("test (__nexus_path) = \"" + c.path + "\"");
    for (const auto& [name, description] : c.subcommands)
      s += "complete -c nexus" + when + " -a " + name + " -d " + Quoted(description) + "\n";
    for (const Flag& f : c.flags) {
      s += "complete -c nexus" + when;
      for (const std::string& name : f.names)
        s += (name.starts_with("--") ? " -l " + name.substr(2) : " -s " + name.substr(1));
      s += (f.takes_value ? " -r -F" : "") + std::string(" -d ") + Quoted(f.description) + "\n";
    }
  }
  return s;
}

}  // namespace

void AddCompletionCommand(CLI::App& app, RemoteCommand* run) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("completion",
                         "Print a shell completion script: bash, zsh or fish (source <(nexus "
                         "completion bash))");
  cmd->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  CLI::App* root = &app;
  OnRun(cmd, run, shell, [root](Remote&, const std::string& which) {
    std::vector<Command> tree;
    Collect(root, "nexus", {}, &tree);
    const std::string script = which == "bash"  ? Bash(tree)
                               : which == "zsh" ? Zsh(tree)
                                                : Fish(tree);
    std::fputs(script.c_str(), stdout);
    return kExitOk;
  });
}

}  // namespace nexus::cli
