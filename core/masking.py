"""Names shown where strangers may read them: partly masked (张*明), enough for the person to
recognise themselves and for nobody else to learn who they are."""


def mask_name(name: str) -> str:
    """张三明 → 张*明, 张三 → 张*, Wang Fang → W***g; a one-character name is all mask."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 3) + name[-1]


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678: the tail a person is asked for at a service desk; a short number
    (a landline extension) keeps only its last four digits."""
    digits = "".join(ch for ch in (phone or "") if ch.isdigit())
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    return "****" + digits[-4:] if len(digits) > 4 else "*" * len(digits)
