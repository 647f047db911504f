<?php
// tests/oracles/composer.php: Composer's version ordering, for
// tests/integration/versions.sh. Reads "A<TAB>B" lines on stdin and prints
// "<", "=" or ">": Composer\Semver\VersionParser::normalize() on each side,
// then PHP's version_compare() on the normalised strings (what Composer's
// Constraint does for versions); "!" when normalize() rejects either side.
// Debian's php-composer-semver.
require '/usr/share/php/Composer/Semver/autoload.php';
$parser = new Composer\Semver\VersionParser();
$out = array();
while (($line = fgets(STDIN)) !== false) {
	$line = rtrim($line, "\n");
	$parts = explode("\t", $line, 2);
	$a = $parts[0];
	$b = isset($parts[1]) ? $parts[1] : '';
	try {
		$na = $parser->normalize($a);
		$nb = $parser->normalize($b);
	} catch (Exception $e) {
		$out[] = '!';
		continue;
	}
	$r = version_compare($na, $nb);
	$out[] = $r < 0 ? '<' : ($r > 0 ? '>' : '=');
}
echo implode("\n", $out), $out ? "\n" : '';
