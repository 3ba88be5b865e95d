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
