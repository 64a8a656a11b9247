use super::*;

fn customer(id: u32, orders: u32, cancels: u32) -> Customer {
    Customer { id, family: "zero_intelligence", orders, cancels, ..Customer::default() }
}

#[test]
fn an_outlier_is_flagged_with_its_robust_z_and_its_own_noise() {
    // Orders 10, 11, 12, 13, 100 over 10 hours: rates 1.0, 1.1, 1.2, 1.3, 10.0.
    // Median 1.2; deviations 0.2, 0.1, 0, 0.1, 8.8 → MAD 0.1, scale 0.14826.
    // Pooled rate 146 / 50 h = 2.92 an hour: Poisson variance 2.92 / 10 h.
    let cs: Vec<Customer> =
        [10, 11, 12, 13, 100].iter().enumerate().map(|(i, &o)| customer(i as u32 + 1, o, 0)).collect();
    let (flags, summary) = report(&cs, 10.0, 1.0, 3.5);
    let rate: Vec<&Flag> = flags.iter().filter(|f| f.measure == "order_rate").collect();
    assert_eq!(rate.len(), 1);
    assert_eq!(rate[0].customer, 5);
    let scale = (0.14826f64.powi(2) + 0.292).sqrt();
    assert!((rate[0].scale - scale).abs() < 1e-9, "scale {}", rate[0].scale);
    let z = rate[0].robust_z.unwrap();
    assert!((z - (10.0 - 1.2) / scale).abs() < 1e-6, "z {z}");
    assert_eq!(summary.flags_by_measure["order_rate"], 1);
}

#[test]
fn less_than_ones_peers_is_never_flagged() {
    let mut cs: Vec<Customer> = (1..=9).map(|i| customer(i, 100 + i, 0)).collect();
    cs.push(customer(10, 0, 0));
    let (flags, _) = report(&cs, 10.0, 1.0, 3.5);
    assert!(flags.is_empty(), "{flags:?}");
}

#[test]
fn a_ratio_over_few_orders_is_not_flagged_for_its_noise() {
    // 99 customers cancel 1 in 10 of 100 orders; one cancelled 1 of its 2:
    // 0.5 is far from 0.1 by the family's spread, not beyond its own noise.
    let mut cs: Vec<Customer> = (1..=99).map(|i| customer(i, 100, 10 + i % 3)).collect();
    cs.push(customer(100, 2, 1));
    let (flags, _) = report(&cs, 10.0, 1.0, 3.5);
    assert!(flags.iter().all(|f| f.customer != 100), "{flags:?}");
    // The same ratio over 100 orders is.
    cs[99] = customer(100, 100, 50);
    let (flags, _) = report(&cs, 10.0, 1.0, 3.5);
    assert!(flags.iter().any(|f| f.customer == 100 && f.measure == "cancel_ratio"), "{flags:?}");
}

#[test]
fn a_zero_mad_falls_back_to_the_mean_deviation_and_self_trades_are_always_reported() {
    // Cancels per order: 0, 0, 0, 0, 0.5 over 1000 orders each → median 0,
    // MAD 0; mean deviation 0.1, family scale 0.12533.
    let mut cs: Vec<Customer> = (1..=5).map(|i| customer(i, 1000, 0)).collect();
    cs[4].cancels = 500;
    cs[1].self_trades = 2;
    cs[1].planted = Some(Abuse::Wash);
    let (flags, summary) = report(&cs, 10.0, 1.0, 3.5);
    let cancel: Vec<&Flag> = flags.iter().filter(|f| f.measure == "cancel_ratio").collect();
    assert_eq!(cancel.len(), 1);
    assert!((cancel[0].family_scale - 0.12533).abs() < 1e-9);
    // Pooled 500 / 5000 = 0.1: binomial variance 0.09 / 1000.
    let scale = (0.12533f64.powi(2) + 0.09 / 1000.0).sqrt();
    assert!((cancel[0].robust_z.unwrap() - 0.5 / scale).abs() < 1e-6);
    assert_eq!(summary.self_trades.customers, 1);
    assert_eq!(summary.self_trades.trades, 2);
    assert!(flags.iter().any(|f| f.measure == "self_trades" && f.customer == 2 && f.robust_z.is_none()));
    let mut out = Vec::new();
    write_csv(&flags, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with(crate::columns::risk::HEADER));
    assert!(text.contains("2,0,zero_intelligence,wash,self_trades,2.0,0.0,0.0,0.0,\n"), "{text}");
}

#[test]
fn families_are_compared_separately() {
    let mut cs: Vec<Customer> = (1..=5).map(|i| customer(i, 10 + i, 0)).collect();
    for i in 6..=10 {
        let mut c = customer(i, 100 + i, 0);
        c.family = "rational";
        cs.push(c);
    }
    // Rates differ tenfold between the families, but within each they are alike.
    let (flags, _) = report(&cs, 10.0, 1.0, 3.5);
    assert!(flags.iter().all(|f| f.measure != "order_rate"), "{flags:?}");
}

#[test]
fn detection_scores_the_flags_against_the_planted_customers() {
    // 100 ordinary customers alike; 4 spoofers with fleeting orders (3
    // flagged: one is too quiet), 2 wash traders (self-trades), and one
    // ordinary customer flagged for fleeting orders.
    let mut cs: Vec<Customer> = (1..=107).map(|i| customer(i, 100, 5 + i % 3)).collect();
    for c in &mut cs[100..104] {
        c.planted = Some(Abuse::Spoof);
        c.fleeting = 60;
    }
    cs[103].fleeting = 0;
    for c in &mut cs[104..106] {
        c.planted = Some(Abuse::Wash);
        c.self_trades = 3;
    }
    cs[106].fleeting = 60;
    let (_, summary) = report(&cs, 10.0, 1.0, 3.5);
    let d = &summary.detection;
    assert_eq!((d.planted, d.flagged_planted, d.false_flags), (6, 5, 1));
    assert_eq!(d.precision, Some(5.0 / 6.0));
    assert_eq!(d.recall, Some(5.0 / 6.0));
    assert!((d.false_flag_rate - 1.0 / 101.0).abs() < 1e-12);
    let spoof = &d.by_kind["spoof"];
    assert_eq!((spoof.planted, spoof.flagged), (4, 3));
    assert_eq!(spoof.recall, 0.75);
    assert_eq!(spoof.precision, Some(0.75));
    assert_eq!(d.by_kind["wash"].precision, Some(2.0 / 3.0));
    assert!(!d.by_kind.contains_key("churn"));
    // Nothing planted: recall undefined, every flag a false one.
    cs.iter_mut().for_each(|c| c.planted = None);
    let d = report(&cs, 10.0, 1.0, 3.5).1.detection;
    assert_eq!((d.recall, d.precision), (None, Some(0.0)));
    assert!((d.false_flag_rate - 6.0 / 107.0).abs() < 1e-12);
}
