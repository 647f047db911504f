// tests/oracles/Cmp.java: Maven's ComparableVersion ordering, for
// tests/integration/versions.sh. Run with the maven-artifact jar on the class
// path (java -cp maven3-artifact.jar Cmp.java < pairs). Reads "A<TAB>B" lines
// and prints "<", "=" or ">"; ComparableVersion accepts every string.
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import org.apache.maven.artifact.versioning.ComparableVersion;

public class Cmp {
	public static void main(String[] args) throws Exception {
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		BufferedWriter out = new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
		String line;
		while ((line = in.readLine()) != null) {
			int tab = line.indexOf('\t');
			String a = line.substring(0, tab), b = line.substring(tab + 1);
			int r = new ComparableVersion(a).compareTo(new ComparableVersion(b));
			out.write(r < 0 ? "<" : r > 0 ? ">" : "=");
			out.write('\n');
		}
		out.flush();
	}
}
