# tests/oracles/gem.rb: RubyGems' Gem::Version ordering, for
# tests/integration/versions.sh. Reads "A<TAB>B" lines on stdin and prints
# "<", "=", ">" (Gem::Version#<=>) or "!" when Gem::Version.correct? rejects
# either side.
$stdout.binmode
out = []
$stdin.binmode
$stdin.each_line do |line|
  line = line.chomp("\n").force_encoding("UTF-8")
  a, b = line.split("\t", 2)
  b ||= ""
  if !Gem::Version.correct?(a) || !Gem::Version.correct?(b)
    out << "!"
    next
  end
  r = Gem::Version.new(a) <=> Gem::Version.new(b)
  out << (r < 0 ? "<" : r > 0 ? ">" : "=")
end
$stdout.write(out.join("\n") + (out.empty? ? "" : "\n"))
