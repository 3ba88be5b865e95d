"""Prove the ledger is sound: exit 0 when it is, 1 with a readable report when it is not.

Checks that every transaction has two or more legs summing to zero, that every account's cached
balance equals the sum of its entries, that each account's newest entry records that balance, and
that no person or pool is below zero.

Across communities (通存通兑): every transaction but the district's budget has legs summing to zero
within each community (so every community's books balance), and each pair of clearing accounts
(A toward B, B toward A) holds opposite balances.
"""

from django.core.management.base import BaseCommand
from django.db.models import Count, Max, OuterRef, Subquery, Sum

from points.models import LedgerEntry, LedgerTransaction, PointsAccount


class Command(BaseCommand):
    help = "Check that the points ledger balances (exit code 1 and a report when it does not)."

    def handle(self, *args, **options):
        problems: list[str] = []

        unbalanced = (
            LedgerTransaction.objects.annotate(total=Sum("entries__amount"), legs=Count("entries"))
            .exclude(total=0, legs__gte=2)
            .values_list("pk", "kind", "total", "legs")
        )
        for pk, kind, total, legs in unbalanced.iterator():
            problems.append(f"transaction #{pk} ({kind}): {legs} legs summing to {total or 0}, expected 2+ legs summing to 0")

        newest = LedgerEntry.objects.filter(account=OuterRef("pk")).order_by("-id").values("balance_after")[:1]
        accounts = PointsAccount.objects.annotate(
            entries_total=Sum("entries__amount"), newest_balance=Subquery(newest), last_id=Max("entries__id")
        ).select_related("community", "user")
        checked = 0
        for account in accounts.iterator():
            checked += 1
            total = account.entries_total or 0
            if account.balance != total:
                problems.append(f"account #{account.pk} ({account}): cached balance {account.balance} but entries sum to {total}")
            if account.last_id is not None and account.newest_balance != account.balance:
                problems.append(
                    f"account #{account.pk} ({account}): newest entry says balance {account.newest_balance}, account says {account.balance}"
                )
            if account.kind not in (PointsAccount.Kind.DISTRICT, PointsAccount.Kind.CLEARING) and account.balance < 0:
                problems.append(f"account #{account.pk} ({account}): negative balance {account.balance}")

        problems += self.community_problems()

        grand_total = PointsAccount.objects.aggregate(total=Sum("balance"))["total"] or 0
        if grand_total != 0:
            problems.append(f"all balances together sum to {grand_total}, expected 0")

        transactions = LedgerTransaction.objects.count()
        if problems:
            self.stderr.write(self.style.ERROR(f"points audit FAILED: {len(problems)} problem(s)"))
            for line in problems:
                self.stderr.write(f"  - {line}")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"points audit OK: {transactions} transactions, {checked} accounts, all balanced"))

    @staticmethod
    def community_problems() -> list[str]:
        problems = []
        per_community = (
            LedgerEntry.objects.exclude(transaction__kind=LedgerTransaction.Kind.BUDGET)
            .values("transaction_id", "account__community_id")
            .annotate(total=Sum("amount"))
            .exclude(total=0)
        )
        for row in per_community.iterator():
            problems.append(
                f"transaction #{row['transaction_id']}: legs in community #{row['account__community_id']} sum to {row['total']}, expected 0"
            )
        clearing = {
            (a, b): balance
            for a, b, balance in PointsAccount.objects.filter(kind=PointsAccount.Kind.CLEARING).values_list("community_id", "counterparty_id", "balance")
        }
        for (a, b), balance in clearing.items():
            mirror = clearing.get((b, a))
            if mirror is None:
                problems.append(f"clearing account of community #{a} toward #{b} has no mirror account")
            elif a < b and balance + mirror != 0:
                problems.append(f"clearing accounts of communities #{a} and #{b} hold {balance} and {mirror}, expected opposite balances")
        return problems
