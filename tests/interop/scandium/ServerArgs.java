// Command line of the Scandium echo server; see EchoServer for what each option does.
import java.util.Locale;

final class ServerArgs {
    int port = -1;
    String pskIdentity;
    byte[] psk;
    String keyFile;
    String pubFile;
    String trustFile;
    String clientAuth = "NONE";
    String ems = "ENABLED";
    Integer mtu;
    boolean multiHandshakeRecords;
    boolean helloVerify = true;

    static final String USAGE = "usage: EchoServer --port N [--psk IDENTITY:HEX] [--key KEY.pem --pub PUB.pem]"
        + " [--client-auth NONE|WANTED|NEEDED] [--trust CLIENT_PUB.pem] [--ems NONE|OPTIONAL|ENABLED|REQUIRED] [--mtu N]"
        + " [--multi-handshake-records true|false] [--hello-verify true|false]";

    static ServerArgs parse(String[] argv) {
        ServerArgs a = new ServerArgs();
        for (int i = 0; i < argv.length; i++) {
            String opt = argv[i];
            if (i + 1 >= argv.length) throw new IllegalArgumentException(opt + " needs a value\n" + USAGE);
            String v = argv[++i];
            switch (opt) {
                case "--port": a.port = Integer.parseInt(v); break;
                case "--psk": {
                    int colon = v.lastIndexOf(':');
                    if (colon < 1) throw new IllegalArgumentException("--psk wants IDENTITY:HEX");
                    a.pskIdentity = v.substring(0, colon);
                    a.psk = hex(v.substring(colon + 1));
                    break;
                }
                case "--key": a.keyFile = v; break;
                case "--pub": a.pubFile = v; break;
                case "--trust": a.trustFile = v; break;
                case "--client-auth": a.clientAuth = v.toUpperCase(Locale.ROOT); break;
                case "--ems": a.ems = v.toUpperCase(Locale.ROOT); break;
                case "--mtu": a.mtu = Integer.parseInt(v); break;
                case "--multi-handshake-records": a.multiHandshakeRecords = Boolean.parseBoolean(v); break;
                case "--hello-verify": a.helloVerify = Boolean.parseBoolean(v); break;
                default: throw new IllegalArgumentException("unknown option " + opt + "\n" + USAGE);
            }
        }
        if (a.port < 1 || a.port > 65535) throw new IllegalArgumentException("--port 1..65535 is needed\n" + USAGE);
        if (a.psk == null && a.keyFile == null) throw new IllegalArgumentException("--psk or --key/--pub is needed\n" + USAGE);
        if ((a.keyFile == null) != (a.pubFile == null)) throw new IllegalArgumentException("--key and --pub go together");
        return a;
    }

    static byte[] hex(String s) {
        if (s.length() % 2 != 0) throw new IllegalArgumentException("odd number of hex digits");
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }
}
