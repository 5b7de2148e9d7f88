#include "util/utf8.h"

#include <QtTest>

using namespace kiln;

Q_DECLARE_METATYPE(kiln::utf8::Sequence)

class tst_Utf8 final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void checkSequence_data();
    void checkSequence();
    void skipAscii_data();
    void skipAscii();
    void findInvalid_data();
    void findInvalid();
};

void tst_Utf8::checkSequence_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<utf8::Sequence>("sequence");
    QTest::addColumn<int>("length"); // checked only for Valid

    const auto valid = utf8::Sequence::Valid;
    const auto invalid = utf8::Sequence::Invalid;
    const auto truncated = utf8::Sequence::Truncated;

    QTest::newRow("ascii") << QByteArray("A") << valid << 1;
    QTest::newRow("2-byte U+0080") << QByteArray("\xC2\x80") << valid << 2;
    QTest::newRow("2-byte U+07FF") << QByteArray("\xDF\xBF") << valid << 2;
    QTest::newRow("3-byte U+0800") << QByteArray("\xE0\xA0\x80") << valid << 3;
    QTest::newRow("3-byte euro") << QByteArray("\xE2\x82\xAC") << valid << 3;
    QTest::newRow("3-byte U+D7FF") << QByteArray("\xED\x9F\xBF") << valid << 3;
    QTest::newRow("3-byte U+E000") << QByteArray("\xEE\x80\x80") << valid << 3;
    QTest::newRow("3-byte U+FFFF") << QByteArray("\xEF\xBF\xBF") << valid << 3;
    QTest::newRow("4-byte U+10000") << QByteArray("\xF0\x90\x80\x80") << valid << 4;
    QTest::newRow("4-byte emoji") << QByteArray("\xF0\x9F\x98\x80") << valid << 4;
    QTest::newRow("4-byte U+10FFFF") << QByteArray("\xF4\x8F\xBF\xBF") << valid << 4;
    QTest::newRow("valid, more follows") << QByteArray("\xC3\xA9xyz") << valid << 2;

    QTest::newRow("overlong 2-byte C0") << QByteArray("\xC0\x80") << invalid << 0;
    QTest::newRow("overlong 2-byte C1") << QByteArray("\xC1\xBF") << invalid << 0;
    QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x9F\xBF") << invalid << 0;
    QTest::newRow("overlong 4-byte") << QByteArray("\xF0\x8F\xBF\xBF") << invalid << 0;
    QTest::newRow("surrogate U+D800") << QByteArray("\xED\xA0\x80") << invalid << 0;
    QTest::newRow("surrogate U+DFFF") << QByteArray("\xED\xBF\xBF") << invalid << 0;
    QTest::newRow("U+110000") << QByteArray("\xF4\x90\x80\x80") << invalid << 0;
    QTest::newRow("lead F5") << QByteArray("\xF5\x80\x80\x80") << invalid << 0;
    QTest::newRow("lead FF") << QByteArray("\xFF") << invalid << 0;
    QTest::newRow("lone continuation") << QByteArray("\x80") << invalid << 0;
    QTest::newRow("bad 2nd byte") << QByteArray("\xC3\x41") << invalid << 0;
    QTest::newRow("bad 3rd byte") << QByteArray("\xE2\x82\x41") << invalid << 0;
    QTest::newRow("bad 4th byte") << QByteArray("\xF0\x90\x80\xC0") << invalid << 0;

    QTest::newRow("truncated 2-byte") << QByteArray("\xC3") << truncated << 0;
    QTest::newRow("truncated 3-byte after 1") << QByteArray("\xE2") << truncated << 0;
    QTest::newRow("truncated 3-byte after 2") << QByteArray("\xE2\x82") << truncated << 0;
    QTest::newRow("truncated 4-byte after 3") << QByteArray("\xF0\x90\x80") << truncated << 0;
    // A prefix that is already wrong is invalid, however many bytes might follow.
    QTest::newRow("cut overlong is invalid") << QByteArray("\xE0\x9F") << invalid << 0;
    QTest::newRow("cut surrogate is invalid") << QByteArray("\xED\xA0") << invalid << 0;
}

void tst_Utf8::checkSequence()
{
    QFETCH(QByteArray, bytes);
    QFETCH(utf8::Sequence, sequence);
    QFETCH(int, length);

    const auto *p = reinterpret_cast<const unsigned char *>(bytes.constData());
    int spanned = 0;
    QCOMPARE(utf8::checkSequence(p, p + bytes.size(), spanned), sequence);
    if (sequence == utf8::Sequence::Valid)
        QCOMPARE(spanned, length);
}

void tst_Utf8::skipAscii_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("stop");

    QTest::newRow("empty") << QByteArray() << 0;
    QTest::newRow("non-ASCII first") << QByteArray("\xC3\xA9") << 0;
    QTest::newRow("7 ASCII") << QByteArray("abcdefg") << 7;
    QTest::newRow("8 ASCII") << QByteArray("abcdefgh") << 8;
    QTest::newRow("20 ASCII") << QByteArray("abcdefghijklmnopqrst") << 20;
    QTest::newRow("high bit inside first word") << QByteArray("abc\xC3\xA9") + QByteArray(20, 'x') << 3;
    QTest::newRow("high bit at 8") << QByteArray("abcdefgh\x80") << 8;
    QTest::newRow("high bit in third word") << QByteArray(21, 'x') + "\xE2\x82\xAC" << 21;
    QTest::newRow("high bit in tail") << QByteArray(17, 'x') + "\xFF" << 17;
}

void tst_Utf8::skipAscii()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, stop);

    const auto *begin = reinterpret_cast<const unsigned char *>(bytes.constData());
    QCOMPARE(int(utf8::skipAscii(begin, begin + bytes.size()) - begin), stop);
}

void tst_Utf8::findInvalid_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("invalid");

    QTest::newRow("empty") << QByteArray() << -1;
    QTest::newRow("ASCII only, 30 bytes") << QByteArray(30, 'a') << -1;
    QTest::newRow("mixed valid") << QByteArray("caf\xC3\xA9 \xE2\x82\xAC 100 \xF0\x9F\x98\x80 and more ASCII text")
                                 << -1;
    QTest::newRow("valid at the very end") << QByteArray(16, 'a') + "\xF4\x8F\xBF\xBF" << -1;
    QTest::newRow("invalid first") << QByteArray("\xFF") + QByteArray(10, 'a') << 0;
    QTest::newRow("invalid after 9 ASCII") << QByteArray(9, 'a') + "\x80" << 9;
    QTest::newRow("invalid after 16 ASCII") << QByteArray(16, 'a') + "\xC0\x80" << 16;
    QTest::newRow("surrogate after valid") << QByteArray("\xC3\xA9xxxxxxxxxx\xED\xA0\x80") << 12;
    QTest::newRow("past U+10FFFF") << QByteArray("abc\xF4\x90\x80\x80") << 3;
    QTest::newRow("overlong after long ASCII") << QByteArray(25, 'z') + "\xE0\x80\x80" + "tail" << 25;
    QTest::newRow("truncated at end") << QByteArray(10, 'a') + "\xE2\x82" << 10;
    QTest::newRow("truncated 4-byte at end") << QByteArray("\xC3\xA9\xF0\x90\x80") << 2;
    QTest::newRow("only first invalid counts") << QByteArray("ab\x80\xFF") << 2;
}

void tst_Utf8::findInvalid()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, invalid);

    QCOMPARE(utf8::findInvalid(bytes.constData(), bytes.size()), qsizetype(invalid));
}

QTEST_GUILESS_MAIN(tst_Utf8)
#include "tst_utf8.moc"
