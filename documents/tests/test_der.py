"""The asn1crypto fix in documents/signing/der.py: linear encoding, never a stale one."""

from asn1crypto import cms, core, tsp, x509

from documents.signing.der import linear_der_install


def _nested_name(depth: int) -> x509.GeneralNames:
    # Freshly built from native values, as pyHanko builds the signed attributes of every signature.
    return x509.GeneralNames(
        [
            x509.GeneralName(
                name="directory_name",
                value=x509.Name.build({"common_name": f"Ủy ban nhân dân phường {n}", "country_name": "VN"}),
            )
            for n in range(depth)
        ]
    )


def _rebuilds_while(action) -> int:
    calls = 0
    originals = {cls: cls._set_contents for cls in (core.Sequence, core.SequenceOf)}

    def counting(original):
        def wrapper(self, force=False):
            nonlocal calls
            calls += 1
            return original(self, force)

        return wrapper

    for cls, original in originals.items():
        cls._set_contents = counting(original)
    try:
        action()
    finally:
        for cls, original in originals.items():
            cls._set_contents = original
    return calls


def test_the_fix_is_installed_once_by_the_app():
    linear_der_install()  # installing again must not wrap twice
    for cls in (core.Sequence, core.SequenceOf):
        installed = cls.__dict__["_set_contents"]
        assert installed.linear_der
        # Wrapped once: the function it calls is asn1crypto's own.
        assert not getattr(installed.__closure__[0].cell_contents, "linear_der", False)


def test_a_freshly_built_structure_is_encoded_once_per_level():
    # The ESS signing-certificate attribute every PAdES signature carries.
    attribute = tsp.SigningCertificateV2(
        {
            "certs": [
                {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "cert_hash": b"\x01" * 32,
                    "issuer_serial": {"issuer": _nested_name(3), "serial_number": 42},
                }
            ]
        }
    )
    encoded = []
    rebuilds = _rebuilds_while(lambda: encoded.append(attribute.dump()))
    # A dozen nested sequences: rebuilt once each, not two or three times per level above them.
    assert rebuilds < 60
    # The encoding is the same DER a fresh parse gives back.
    assert tsp.SigningCertificateV2.load(encoded[0]).dump(force=True) == encoded[0]


def test_a_change_after_encoding_is_in_the_next_encoding():
    info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": x509.Name.build({"common_name": "MotCua CA"}), "serial_number": 7},
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": b"first",
        }
    )
    infos = cms.SignerInfos([info])
    before = infos.dump()
    info["signature"] = b"second"
    after = infos.dump()
    assert before != after
    assert cms.SignerInfos.load(after)[0]["signature"].native == b"second"
