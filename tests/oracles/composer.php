<?php
// tests/oracles/composer.php: Composer's version ordering, for
// tests/integration/versions.sh. Reads "A<TAB>B" lines on stdin and prints
// "<", "=" or ">": Composer\Semver\VersionParser::normalize() on each side,
// then Composer\Semver\Comparator on the normalised strings (its Constraint:
// version_compare() for versions, equality only for two dev- branches); "~"
// when Comparator orders the pair neither way (two different branches), "!"
// when normalize() rejects either side. Debian's php-composer-semver.
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
	if (Composer\Semver\Comparator::lessThan($na, $nb)) {
		$out[] = '<';
	} elseif (Composer\Semver\Comparator::equalTo($na, $nb)) {
		$out[] = '=';
	} elseif (Composer\Semver\Comparator::greaterThan($na, $nb)) {
		$out[] = '>';
	} else {
		$out[] = '~';
	}
}
echo implode("\n", $out), $out ? "\n" : '';
