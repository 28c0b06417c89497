"""Yuan as the APIs take them: integer fen in, a string with two decimals out."""


def yuan(fen: int) -> str:
    sign, fen = ("-", -fen) if fen < 0 else ("", fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"
