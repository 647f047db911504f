# tests/integration/cvss/oracle.rb: the independent oracle for CVSS 2.0, 3.0
# and 3.1 base scores, Debian's ruby-cvss-suite (3.1.0 in Debian 12; it knows
# no 4.0). Reads vectors on stdin, prints VECTOR<TAB>SCORE (one decimal) or
# VECTOR<TAB>! when the gem calls the vector invalid.
require 'cvss_suite'

STDIN.each_line do |line|
  vector = line.chomp
  begin
    cvss = CvssSuite.new(vector)
    puts cvss.valid? ? "#{vector}\t#{format('%.1f', cvss.base_score)}" : "#{vector}\t!"
  rescue StandardError => e
    puts "#{vector}\t! #{e.class}"
  end
end
