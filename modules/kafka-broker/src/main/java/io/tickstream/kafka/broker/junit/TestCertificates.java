package io.tickstream.kafka.broker.junit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Self-signed certificates for {@code localhost} / {@code 127.0.0.1}, made at run time with BouncyCastle, so that no
 * private key is ever committed. PEM out: the certificate as {@code CERTIFICATE}, the key as PKCS#8 {@code PRIVATE KEY},
 * as an operator's files would be. For tests only: of the broker's TLS listener ({@code EmbeddedKafkaBroker.Builder#tls})
 * and of a fanout node's client port.
 *
 * <p>Needs {@code org.bouncycastle:bcpkix-jdk18on} (and the same {@code bcprov-jdk18on}) on the test class path: this
 * module declares them optional, like JUnit, so a test module that uses this class declares them itself.
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private TestCertificates() {
  }

  /** A certificate and its key. */
  public record Pair(X509Certificate cert, PrivateKey key) {

    public String certPem() {
      try {
        return pem("CERTIFICATE", cert.getEncoded());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    /** PKCS#8: Java encodes every private key that way. */
    public String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }

    /** Writes both files, each through a temporary file renamed into place, as a careful operator would. */
    public void writeTo(Path certFile, Path keyFile) {
      write(certFile, certPem());
      write(keyFile, keyPem());
    }
  }

  /** A fresh RSA-2048 key and a self-signed certificate for {@code CN=cn}, valid for a day. */
  public static Pair selfSigned(String cn) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      KeyPair keys = generator.generateKeyPair();
      X500Name name = new X500Name("CN=" + cn);
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
          BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
      return new Pair(cert, keys.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a test certificate", e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Writes {@code text} to a sibling temporary file, then renames it over {@code file}: readers never see half of it. */
  public static void write(Path file, String text) {
    try {
      Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, text);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
