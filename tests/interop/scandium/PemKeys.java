// Reads the P-256 keys the tests make with `openssl genpkey` (PKCS#8 private key, SPKI public key).
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

final class PemKeys {
    private PemKeys() {}

    /** The DER bytes between the BEGIN and END lines of a PEM file. */
    static byte[] der(String file) throws IOException {
        StringBuilder b64 = new StringBuilder();
        for (String line : Files.readAllLines(Path.of(file))) {
            if (!line.startsWith("-----")) b64.append(line.trim());
        }
        return Base64.getDecoder().decode(b64.toString());
    }

    static PrivateKey privateKey(String file) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der(file)));
    }

    static PublicKey publicKey(String file) throws IOException, GeneralSecurityException {
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der(file)));
    }
}
