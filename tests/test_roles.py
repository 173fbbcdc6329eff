"""Money roles from the words that introduce an amount (SPEC §5, GUIDELINES §2 and §9)."""
import pytest

from kcnlp.pipeline.roles import money_role, role_cue

ROLES = [
    # a named source in the clause beats the generic words nearer the amount
    ("Kinh phí khuyến công quốc gia hỗ trợ {M} cho đề án.", "national"),
    # a total nearer than the source of the scheme
    ("Đề án thuộc nguồn khuyến công địa phương năm 2016 với tổng kinh phí {M}; trong đó ngân sách tỉnh 300 triệu đồng.", "total"),
    ("Đề án có tổng kinh phí hỗ trợ {M}.", "support"),
    # a source named after the amount, and the beneficiary's share after it
    ("Trung tâm tư vấn cho 46 cơ sở với {M} từ nguồn khuyến công quốc gia.", "national"),
    ("Tổng kinh phí 1,26 tỷ đồng; ngân sách tỉnh 378 triệu đồng, số còn lại {M} do HTX đối ứng.", "counterpart"),
    # the beneficiary's own spending
    ("Theo đó, gia đình anh Tư đầu tư thêm {M} để xây nhà xưởng.", "counterpart"),
    # a source at the start of the sentence
    ("Từ nguồn vốn sự nghiệp khuyến công quốc gia năm 2024, Trung tâm Khuyến công Quảng Nam đã hỗ trợ {M} cho HTX.", "national"),
    # the head of an inline list, and a list header line
    ("Năm 2023 triển khai với tổng kinh phí khuyến công quốc gia 1,65 tỷ đồng, gồm: đề án A (600 triệu đồng); đề án B ({M}).", "national"),
    ("II. Khuyến công địa phương\n- Đào tạo nghề mây tre đan cho 40 học viên: 120 triệu đồng;\n- Tư vấn thiết kế bao bì: {M};", "local"),
    ("- Nguồn khuyến công địa phương:\n+ Đào tạo nghề dệt: {M};", "local"),
    # no source named: support, never a guessed local
    ("Năm qua, trung tâm đã dành {M} thực hiện đề án hỗ trợ máy sấy.", "support"),
    ("Sản phẩm đạt cấp quốc gia, kinh phí {M}.", "support"),
    ("Máy ép mo cau (tổng giá trị {M}).", "total"),
    ("Tiêu sọ bán khoảng {M}/kg tại vườn.", "other"),
    ("Thợ lành nghề có thu nhập {M}/tháng.", "income"),
    # what a business earns is income; its gross takings, loans and their interest are not
    ("Năm qua hợp tác xã có lợi nhuận khoảng {M}.", "income"),
    ("Sau khi trừ chi phí, mỗi hộ lãi {M}/năm.", "income"),
    ("Doanh thu của cơ sở đạt {M}.", "other"),
    ("Hộ được vay {M} với lãi suất ưu đãi.", "other"),
    # an ellipsis ends the words that introduce an amount
    ("Doanh thu tăng mạnh… Bên cạnh đó, trung tâm cũng đã hỗ trợ {M} cho Công ty TNHH An Phú.", "support"),
    ("Năm 2018, tỉnh bố trí {M} cho kế hoạch khuyến công địa phương.", "local"),
]


@pytest.mark.parametrize("template,role", ROLES)
def test_money_role_follows_the_introducing_words(template, role):
    amount = "450 triệu đồng"
    text = template.replace("{M}", amount)
    start = text.index(amount)
    assert money_role(text, start, start + len(amount)) == role


def test_no_cue_at_all_leaves_the_decision_to_the_classifier():
    text = "Gần 71 tỷ đồng thực hiện Chương trình."
    assert role_cue(text, 4, 15) is None
    assert money_role(text, 4, 15) == "support"


def test_trained_classifier_decides_only_without_a_cue():
    from kcnlp.pipeline.roles import RoleClassifier

    class Always:
        def best(self, features):
            return "local", 0.8

    stage = RoleClassifier()
    stage.model = Always()
    text = "Kinh phí hỗ trợ 300 triệu đồng. Gần 71 tỷ đồng thực hiện Chương trình."
    assert stage.decide(text, 16, 30) == ("support", None)   # the cue decides: no probability
    assert stage.decide(text, 36, 47) == ("local", 0.8)      # no cue: the classifier, with its probability
    stage.mode = "model"
    assert stage.role(text, 16, 30) == "local"
