// A DTLS 1.2 echo server on Eclipse Californium Scandium, for the interop tests
// (tests/interop-scandium.test.ts). Listens on 127.0.0.1:PORT, echoes every application
// record back, and prints one line per event on stdout:
//   ready on 127.0.0.1:PORT
//   handshake completed cipher=SUITE ems=true|false peer=psk:ID|rpk:SHA256HEX|none
//   handshake failed: REASON
//   echo N bytes
// PSK (TLS_PSK_WITH_AES_128_CCM_8) with --psk, ECDHE_ECDSA (TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8)
// with raw public keys (RFC 7250) with --key/--pub; client keys trusted: the one in --trust,
// or any when --trust is not given.
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.eclipse.californium.elements.RawData;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.elements.auth.RawPublicKeyIdentity;
import org.eclipse.californium.elements.config.CertificateAuthenticationMode;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.CertificateType;
import org.eclipse.californium.scandium.dtls.DTLSSession;
import org.eclipse.californium.scandium.dtls.ExtendedMasterSecretMode;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.eclipse.californium.scandium.dtls.cipher.CipherSuite;
import org.eclipse.californium.scandium.dtls.pskstore.AdvancedSinglePskStore;
import org.eclipse.californium.scandium.dtls.x509.SingleCertificateProvider;
import org.eclipse.californium.scandium.dtls.x509.StaticNewAdvancedCertificateVerifier;

public final class EchoServer {
    public static void main(String[] argv) throws Exception {
        ServerArgs a;
        try {
            a = ServerArgs.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        DTLSConnector connector = new DTLSConnector(config(a));
        connector.setRawDataReceiver(raw -> {
            say("echo " + raw.getSize() + " bytes");
            connector.send(RawData.outbound(raw.getBytes(), raw.getEndpointContext(), null, false));
        });
        connector.start();
        Runtime.getRuntime().addShutdownHook(new Thread(connector::destroy));
        say("ready on 127.0.0.1:" + connector.getAddress().getPort());
        // Scandium's threads are daemons: main stays until the test stops the process.
        Thread.currentThread().join();
    }

    static DtlsConnectorConfig config(ServerArgs a) throws Exception {
        DtlsConfig.register();
        DtlsConnectorConfig.Builder b = DtlsConnectorConfig.builder(Configuration.createStandardWithoutFile())
            .setAddress(new InetSocketAddress("127.0.0.1", a.port))
            .set(DtlsConfig.DTLS_ROLE, DtlsConfig.DtlsRole.SERVER_ONLY)
            .set(DtlsConfig.DTLS_USE_HELLO_VERIFY_REQUEST, a.helloVerify)
            .set(DtlsConfig.DTLS_EXTENDED_MASTER_SECRET_MODE, ExtendedMasterSecretMode.valueOf(a.ems))
            .set(DtlsConfig.DTLS_CLIENT_AUTHENTICATION_MODE, CertificateAuthenticationMode.valueOf(a.clientAuth))
            .setSessionListener(new Reporter());
        if (a.mtu != null) b.set(DtlsConfig.DTLS_MAX_TRANSMISSION_UNIT, a.mtu);
        // Several handshake messages in one record (RFC 6347 allows it; Scandium does not by default).
        b.set(DtlsConfig.DTLS_USE_MULTI_HANDSHAKE_MESSAGE_RECORDS, a.multiHandshakeRecords);
        List<CipherSuite> suites = new ArrayList<>();
        if (a.psk != null) {
            suites.add(CipherSuite.TLS_PSK_WITH_AES_128_CCM_8);
            b.setAdvancedPskStore(new AdvancedSinglePskStore(a.pskIdentity, a.psk));
        }
        if (a.keyFile != null) {
            suites.add(CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8);
            b.setAsList(DtlsConfig.DTLS_CERTIFICATE_TYPES, CertificateType.RAW_PUBLIC_KEY);
            b.setCertificateIdentityProvider(
                new SingleCertificateProvider(PemKeys.privateKey(a.keyFile), PemKeys.publicKey(a.pubFile)));
            // Scandium refuses a verifier it would never use (client authentication NONE).
            if (!a.clientAuth.equals("NONE")) {
                StaticNewAdvancedCertificateVerifier.Builder v = StaticNewAdvancedCertificateVerifier.builder();
                if (a.trustFile != null) v.setTrustedRPKs(new RawPublicKeyIdentity(PemKeys.publicKey(a.trustFile)));
                else v.setTrustAllRPKs();
                b.setAdvancedCertificateVerifier(v.build());
            }
        }
        b.setAsList(DtlsConfig.DTLS_CIPHER_SUITES, suites.toArray(new CipherSuite[0]));
        return b.build();
    }

    /** Prints the outcome of every handshake (the tests read the server's view from it). */
    static final class Reporter extends SessionAdapter {
        @Override
        public void handshakeCompleted(Handshaker handshaker) {
            DTLSSession s = handshaker.getSession();
            say("handshake completed cipher=" + s.getCipherSuite().name() + " ems=" + s.useExtendedMasterSecret()
                + " peer=" + describe(s.getPeerIdentity()));
        }

        @Override
        public void handshakeFailed(Handshaker handshaker, Throwable error) {
            say("handshake failed: " + error.getMessage());
        }
    }

    static String describe(Principal p) {
        if (p instanceof PreSharedKeyIdentity) return "psk:" + ((PreSharedKeyIdentity) p).getIdentity();
        if (p instanceof RawPublicKeyIdentity) return "rpk:" + sha256(((RawPublicKeyIdentity) p).getKey());
        return p == null ? "none" : p.getClass().getSimpleName();
    }

    static String sha256(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
