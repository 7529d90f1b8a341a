package otelsink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/sdk/resource"

	"github.com/streamll/streamll-go/actors/sinks"
)

// EnvConfig returns a Config read from the standard OpenTelemetry
// environment variables, as the OpenTelemetry SDKs read them, so that a
// program configured for Langfuse, LangSmith or a collector by its
// environment sends its executions there too:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT            Endpoint, a base URL (/v1/traces is appended)
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT     Endpoint, the traces URL itself (ending in /v1/traces);
//	                                       it wins over the one above
//	OTEL_EXPORTER_OTLP_HEADERS             Headers: name=value pairs joined by commas,
//	                                       values percent-encoded ("Authorization=Basic%20...")
//	OTEL_EXPORTER_OTLP_TRACES_HEADERS      more Headers; they win over the ones above
//	OTEL_EXPORTER_OTLP_COMPRESSION         Gzip: "gzip" or "none"
//	OTEL_EXPORTER_OTLP_TIMEOUT             Options.WriteTimeout, in milliseconds
//	OTEL_EXPORTER_OTLP_PROTOCOL            must be "http/protobuf" (or unset): the sink speaks
//	                                       nothing else
//	OTEL_EXPORTER_OTLP_CERTIFICATE         TLSConfig: a PEM file of the CAs to trust
//	OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, TLSConfig: a client certificate and its key,
//	OTEL_EXPORTER_OTLP_CLIENT_KEY          PEM files
//	OTEL_SERVICE_NAME                      ServiceName
//	OTEL_RESOURCE_ATTRIBUTES               Resource: key=value pairs joined by commas
//
// Each of COMPRESSION, TIMEOUT, PROTOCOL, CERTIFICATE, CLIENT_CERTIFICATE and
// CLIENT_KEY may also be given with TRACES_ after OTLP_, which wins. Unset
// variables leave their fields at zero, that is at their defaults; set the
// Config's other fields (Options, Logger, ...) on the result. Every error
// names its variable, wraps sinks.ErrInvalidConfig, and never contains a
// header value or a password.
func EnvConfig() (Config, error) {
	var (
		cfg  Config
		errs []error
	)
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: otelsink: %s %s", sinks.ErrInvalidConfig, name, fmt.Sprintf(format, args...)))
	}
	const prefix = "OTEL_EXPORTER_OTLP_"
	// get returns the traces variable if it is set, else the generic one.
	get := func(suffix string) (string, string) {
		if v := strings.TrimSpace(os.Getenv(prefix + "TRACES_" + suffix)); v != "" {
			return prefix + "TRACES_" + suffix, v
		}
		name := prefix + suffix
		return name, strings.TrimSpace(os.Getenv(name))
	}

	if v := strings.TrimSpace(os.Getenv(prefix + "TRACES_ENDPOINT")); v != "" {
		if u, err := url.Parse(v); err == nil && !strings.HasSuffix(strings.TrimRight(u.Path, "/"), TracesPath) {
			bad(prefix+"TRACES_ENDPOINT", "%s: the path must end in %s (or give a base URL in %sENDPOINT)", u.Redacted(), TracesPath, prefix)
		}
		cfg.Endpoint = v
	} else if v := strings.TrimSpace(os.Getenv(prefix + "ENDPOINT")); v != "" {
		cfg.Endpoint = v
	}

	for _, name := range []string{prefix + "HEADERS", prefix + "TRACES_HEADERS"} {
		if v := os.Getenv(name); strings.TrimSpace(v) != "" {
			h, err := parseHeaders(v)
			if err != nil {
				bad(name, "%v", err)
				continue
			}
			if cfg.Headers == nil {
				cfg.Headers = map[string]string{}
			}
			for k, val := range h {
				cfg.Headers[k] = val
			}
		}
	}

	if name, v := get("COMPRESSION"); v != "" {
		switch strings.ToLower(v) {
		case "gzip":
			cfg.Gzip = true
		case "none":
		default:
			bad(name, "%q is not gzip or none", v)
		}
	}
	if name, v := get("TIMEOUT"); v != "" {
		ms, err := strconv.Atoi(v)
		if err != nil || ms < 0 {
			bad(name, "%q is not a whole number of milliseconds", v)
		} else {
			cfg.Options.WriteTimeout = time.Duration(ms) * time.Millisecond
		}
	}
	if name, v := get("PROTOCOL"); v != "" && v != "http/protobuf" {
		bad(name, "%q is not supported: this sink exports http/protobuf only", v)
	}

	tlsCfg, err := envTLS(get)
	if err != nil {
		errs = append(errs, err)
	}
	cfg.TLSConfig = tlsCfg

	cfg.ServiceName = strings.TrimSpace(os.Getenv("OTEL_SERVICE_NAME"))
	if strings.TrimSpace(os.Getenv("OTEL_RESOURCE_ATTRIBUTES")) != "" {
		res, err := resource.New(context.Background(), resource.WithFromEnv())
		if err != nil {
			bad("OTEL_RESOURCE_ATTRIBUTES", "%v", err)
		}
		cfg.Resource = res
	}
	return cfg, errors.Join(errs...)
}

// parseHeaders reads name=value pairs joined by commas, values
// percent-encoded. Its errors never quote a value.
func parseHeaders(s string) (map[string]string, error) {
	h := map[string]string{}
	for i, pair := range strings.Split(s, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		name, value, ok := strings.Cut(pair, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, fmt.Errorf("entry %d is not name=value", i+1)
		}
		decodedName, err := url.PathUnescape(name)
		if err != nil || !validHeaderName(decodedName) {
			return nil, fmt.Errorf("entry %d: %q is not a valid header name", i+1, name)
		}
		decoded, err := url.PathUnescape(strings.TrimSpace(value))
		if err != nil {
			return nil, fmt.Errorf("the value of header %q is not percent-encoded correctly (value withheld)", decodedName)
		}
		h[decodedName] = decoded
	}
	return h, nil
}

// envTLS reads the certificate variables into a TLS configuration, or nil
// when none is set.
func envTLS(get func(string) (string, string)) (*tls.Config, error) {
	caName, ca := get("CERTIFICATE")
	certName, cert := get("CLIENT_CERTIFICATE")
	keyName, key := get("CLIENT_KEY")
	if ca == "" && cert == "" && key == "" {
		return nil, nil
	}
	invalid := func(name, format string, args ...any) error {
		return fmt.Errorf("%w: otelsink: %s %s", sinks.ErrInvalidConfig, name, fmt.Sprintf(format, args...))
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, invalid(caName, "%v", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, invalid(caName, "%s holds no PEM certificate", ca)
		}
		cfg.RootCAs = pool
	}
	switch {
	case cert != "" && key != "":
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, invalid(certName, "with %s: %v", keyName, err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	case cert != "" || key != "":
		return nil, invalid(certName, "and %s must be given together", keyName)
	}
	return cfg, nil
}
